#!/usr/bin/env perl
# run.pl: run a command as JOB=1:N parallel jobs on this machine, one log per job.
# Written for spoofcm; same interface as slurm.pl and queue.pl so cmd.sh can swap them.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/lib";
use File::Basename qw(dirname);
use POSIX qw(:sys_wait_h);
use SpoofcmJobs qw(parse_cli job_ids job_log job_command pick_jobs report_and_exit fail
  ensure_dir);

my $prog = 'run.pl';
my $usage = <<'EOF';
Usage: run.pl [options] [JOB=1:N] <log> <command> [args...]
  Runs the command once per job id, JOB replaced by the id in the log name and in every
  argument; up to --max-jobs-run jobs at a time. Each log holds the command, start time,
  output, run time and exit code. Exits 1 with "K / N failed" when any job fails.
  One command argument is run as a bash command line ('a | b' is a pipe); several arguments
  are quoted word by word (a bare | or > between them still acts as shell syntax).
Options:
  --max-jobs-run N     jobs at once (default: number of cores)
  --pick all|failed    'failed' reruns only jobs whose log does not end with code 0
  --gpu/--mem/--num-threads/--time/--config V   accepted for cluster compatibility, ignored
Examples:
  run.pl JOB=1:4 exp/log/dump.JOB.log spoofcm-dump-logmel --job JOB --nj 4 ...
  run.pl exp/log/count.log 'wc -l data/train/wav.scp | tee n.txt'
EOF

my $spec = parse_cli($prog, $usage, @ARGV);
my $max_jobs = ncores();
my $pick = 'all';
my %ignored = map { $_ => 1 } qw(gpu mem num_threads time config);
for my $o (@{ $spec->{opts} }) {
  my ($name, $value) = @$o;
  if ($name eq 'max_jobs_run') {
    fail($prog, "--max-jobs-run must be a positive integer, got '$value'")
      unless $value =~ /^\d+$/ && $value > 0;
    $max_jobs = $value;
  } elsif ($name eq 'pick') {
    $pick = $value;
  } elsif (!$ignored{$name}) {
    (my $shown = $name) =~ tr/_/-/;
    print STDERR "$prog: warning: option --$shown is for cluster launchers; ignored here\n";
  }
}

my %codes = map { $_ => 0 } job_ids($spec);
my @todo = pick_jobs($prog, $spec, $pick);
my %running;    # pid => job id
my $stopping = 0;
my $on_signal = sub {
  $stopping = 1;
  kill 'TERM', keys %running;
};
local $SIG{INT} = $on_signal;
local $SIG{TERM} = $on_signal;

while (@todo || %running) {
  while (@todo && !$stopping && keys(%running) < $max_jobs) {
    my $id = shift @todo;
    my $pid = fork();
    fail($prog, "fork failed: $!") unless defined $pid;
    if ($pid == 0) {
      $SIG{INT} = $SIG{TERM} = 'DEFAULT';
      exit run_one(job_log($spec, $id), job_command($spec, $id));
    }
    $running{$pid} = $id;
  }
  if ($stopping && @todo) {
    $codes{$_} = 130 for @todo;
    @todo = ();
  }
  my $pid = waitpid(-1, 0);
  next if $pid <= 0 || !exists $running{$pid};    # interrupted by a signal: loop again
  $codes{ delete $running{$pid} } = exit_code($?);
}
if ($stopping) {
  print STDERR "$prog: interrupted\n";
  exit 130;
}
report_and_exit($prog, $spec, \%codes);

# Run one job in a child: header, the command through bash (its own process group, so a
# signal reaches a whole pipeline), then accounting and end lines. Returns the exit code.
sub run_one {
  my ($log, $cmd) = @_;
  ensure_dir(dirname($log));
  open(my $fh, '>', $log) or die "$prog: cannot write $log: $!\n";
  print $fh "# $cmd\n# Started at " . localtime() . "\n#\n";
  close $fh;
  my $t0 = time();
  my $pid = fork();
  die "$prog: fork failed: $!\n" unless defined $pid;
  if ($pid == 0) {
    setpgrp(0, 0);
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>>', $log) or die "$prog: cannot append to $log: $!\n";
    open(STDERR, '>&', \*STDOUT);
    exec('bash', '-c', $cmd) or die "$prog: cannot run bash: $!\n";
  }
  setpgrp($pid, $pid);
  my $stop = sub { kill 'TERM', -$pid };
  local $SIG{INT} = $stop;
  local $SIG{TERM} = $stop;
  local $SIG{HUP} = $stop;
  my $r;
  do { $r = waitpid($pid, 0) } while ($r == -1 && $!{EINTR});
  my $code = exit_code($?);
  my $elapsed = time() - $t0;
  open($fh, '>>', $log) or die "$prog: cannot append to $log: $!\n";
  print $fh "# Accounting: time=$elapsed threads=1\n";
  print $fh "# Ended (code $code) at " . localtime() . ", elapsed time $elapsed seconds\n";
  close $fh;
  return $code;
}

sub exit_code {
  my ($status) = @_;
  return 128 + ($status & 127) if $status & 127;
  return $status >> 8;
}

sub ncores {
  if (open(my $fh, '-|', 'nproc')) {
    my $n = <$fh>;
    close $fh;
    return $1 if defined $n && $n =~ /^(\d+)/ && $1 > 0;
  }
  return 4;
}
