package SpoofcmJobs;
# Shared parts of run.pl, slurm.pl and queue.pl (written for spoofcm): the command-line
# grammar, JOB substitution, how the command is turned into one bash line, the log format
# and how a log tells whether its job succeeded. Keeping it in one place means the three
# launchers stay interchangeable in cmd.sh.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Path qw(make_path);
use Exporter 'import';

our @EXPORT_OK = qw(parse_cli job_ids job_log job_command log_succeeded pick_jobs
  report_and_exit fail ensure_dir);

# Print "<prog>: error: <msg>" and exit 1 (users read logs, not stack traces).
sub fail {
  my ($prog, $msg) = @_;
  print STDERR "$prog: error: $msg\n";
  exit 1;
}

sub ensure_dir {
  my ($dir) = @_;
  make_path($dir) unless -d $dir;
}

# Parse  [--name value | --name=value]... [VAR=a:b | VAR=a] log cmd args...
# Option names are returned with dashes turned into underscores, in command-line order.
sub parse_cli {
  my ($prog, $usage, @argv) = @_;
  my @opts;
  if (!@argv || $argv[0] eq '--help' || $argv[0] eq '-h') {
    print $usage;
    exit(@argv ? 0 : 1);
  }
  while (@argv && $argv[0] =~ /^--([A-Za-z][A-Za-z0-9_-]*)(?:=(.*))?$/s) {
    my ($name, $value) = ($1, $2);
    shift @argv;
    if (!defined $value) {
      fail($prog, "option --$name needs a value") unless @argv;
      $value = shift @argv;
    }
    $name =~ tr/-/_/;
    push @opts, [$name, $value];
  }
  my %spec = (opts => \@opts, var => undef, first => 1, last => 1);
  if (@argv && $argv[0] =~ /^([A-Za-z_][A-Za-z0-9_]*)=(\d+)(?::(\d+))?$/) {
    shift @argv;
    @spec{qw(var first last)} = ($1, $2, defined $3 ? $3 : $2);
    fail($prog, "empty job range $spec{var}=$spec{first}:$spec{last}")
      if $spec{last} < $spec{first};
  }
  fail($prog, "expected a log file and a command\n$usage") if @argv < 2;
  $spec{log} = shift @argv;
  $spec{cmd} = [@argv];
  if (defined $spec{var}) {
    my $v = $spec{var};
    fail($prog, "the log name '$spec{log}' must contain $v when running several jobs")
      if $spec{last} > $spec{first} && index($spec{log}, $v) < 0;
  }
  return \%spec;
}

sub job_ids {
  my ($spec) = @_;
  return ($spec->{first} .. $spec->{last});
}

sub substitute {
  my ($text, $spec, $id) = @_;
  return $text unless defined $spec->{var};
  my $v = $spec->{var};
  $text =~ s/\Q$v\E/$id/g;
  return $text;
}

sub job_log {
  my ($spec, $id) = @_;
  return substitute($spec->{log}, $spec, $id);
}

# One bash command line for job $id. A single command argument is a shell command line
# taken verbatim (so "a | b" is a pipe). With several arguments, a word without blanks or
# quotes stays as it is (so a bare '|' or '>' still acts as shell syntax, Kaldi style) and
# any other word is single-quoted, so it reaches the program as one argument.
sub job_command {
  my ($spec, $id) = @_;
  my @args = map { substitute($_, $spec, $id) } @{ $spec->{cmd} };
  return $args[0] if @args == 1;
  my @words;
  for my $a (@args) {
    if ($a =~ /^[^\s'"\\]+$/) {
      push @words, $a;
    } else {
      (my $q = $a) =~ s/'/'\\''/g;
      push @words, "'$q'";
    }
  }
  return join(' ', @words);
}

# A job succeeded when its log ends with "# Ended (code 0)"; a missing log, a log without an
# end line (killed) or a non-zero code counts as failed.
sub log_succeeded {
  my ($log) = @_;
  open(my $fh, '<', $log) or return 0;
  my $code;
  while (my $line = <$fh>) {
    $code = $1 if $line =~ /^# Ended \(code (\d+)\)/;
  }
  close $fh;
  return defined $code && $code == 0;
}

# The job ids to run under --pick all|failed.
sub pick_jobs {
  my ($prog, $spec, $pick) = @_;
  my @ids = job_ids($spec);
  return @ids if $pick eq 'all';
  fail($prog, "--pick must be 'all' or 'failed', got '$pick'") unless $pick eq 'failed';
  my @todo = grep { !log_succeeded(job_log($spec, $_)) } @ids;
  if (@todo) {
    printf STDERR "%s: --pick failed: rerunning %d of %d jobs (%s)\n", $prog, scalar @todo,
      scalar @ids, join(' ', @todo);
  } else {
    printf STDERR "%s: --pick failed: all %d jobs already succeeded, nothing to run\n", $prog,
      scalar @ids;
  }
  return @todo;
}

# Summarise per-job exit codes (%$codes: id => code, for every job of the range) and exit.
sub report_and_exit {
  my ($prog, $spec, $codes) = @_;
  my @ids = job_ids($spec);
  my @failed = grep { $codes->{$_} != 0 } @ids;
  exit 0 unless @failed;
  if (@ids == 1) {
    printf STDERR "%s: job failed (code %d), see %s\n", $prog, $codes->{ $ids[0] },
      job_log($spec, $ids[0]);
  } else {
    my @shown = @failed > 5 ? @failed[0 .. 4] : @failed;
    printf STDERR "%s: %d / %d failed, see %s%s\n", $prog, scalar @failed, scalar @ids,
      join(' ', map { job_log($spec, $_) . " (code $codes->{$_})" } @shown),
      @failed > @shown ? ' ...' : '';
  }
  exit 1;
}

1;
