package SpoofcmText;
# The text policy of spoofcm (spoofcm/textio.py) for the shell tools (written for spoofcm):
# a UTF-8 byte-order mark at the start of a file is dropped, a CR before the LF is dropped,
# and a line that is not UTF-8 is an error naming file and line. fix_data_dir.sh and
# split_scp read every input through here, so shell and Python read a file the same way.
use strict;
use warnings;
use Encode qw(decode FB_CROAK);
use Exporter 'import';

our @EXPORT_OK = qw(read_text_lines);

# Lines of $path (end of line removed) under the policy; on a problem, calls $fail->($msg).
sub read_text_lines {
  my ($path, $fail) = @_;
  open(my $fh, '<:raw', $path) or $fail->("cannot read $path: $!");
  my @lines;
  while (my $line = <$fh>) {
    $line =~ s/\A\xEF\xBB\xBF// if $. == 1;
    $line =~ s/\r?\n\z//;
    my $copy = $line;
    eval { decode('UTF-8', $copy, FB_CROAK); 1 }
      or $fail->("$path:$.: not UTF-8 text; convert the file, e.g. iconv -f latin1 -t utf-8");
    push @lines, $line;
  }
  close $fh;
  return @lines;
}

1;
