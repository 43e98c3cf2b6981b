package SpoofcmCluster;
# The cluster half of slurm.pl and queue.pl (written for spoofcm). One array job per
# submission: a generated bash script under <logdir>/q/ picks its job id from the
# scheduler's task variable, writes the same log as run.pl and then an exit-code file; the
# launcher polls those files, and asks the scheduler now and then whether the job still
# exists, so a job killed by the scheduler is reported instead of waited on forever.
use strict;
use warnings;
use Cwd qw(getcwd);
use File::Basename qw(dirname basename);
use Time::HiRes qw(sleep time);
use SpoofcmJobs qw(parse_cli job_ids job_log job_command pick_jobs report_and_exit fail
  ensure_dir);

# Backend description (hash): prog, scheduler (its name for --help), config (default path),
# builtin (config used when that path is absent), task_var (the array task id variable),
# submit (sub: base, qdir, ids, max jobs -> array/output/name arguments), job_id_re (finds the
# job id in the submit output), status_cmd + job_gone (is the job still known?), cancel_cmd.
sub main {
  my ($be, @argv) = @_;
  my $prog = $be->{prog};
  my $spec = parse_cli($prog, usage($be), @argv);
  my ($config, $pick, $max_jobs, @user) = ($be->{config}, 'all', 0);
  for my $o (@{ $spec->{opts} }) {
    my ($name, $value) = @$o;
    if ($name eq 'config') { $config = $value; }
    elsif ($name eq 'pick') { $pick = $value; }
    elsif ($name eq 'max_jobs_run') {
      fail($prog, "--max-jobs-run must be a positive integer, got '$value'")
        unless $value =~ /^\d+$/ && $value > 0;
      $max_jobs = $value;
    } else { push @user, $o; }
  }
  my ($conf, $conf_name);
  if (-f $config) { ($conf, $conf_name) = (read_config($prog, $config), $config); }
  elsif ($config ne $be->{config}) { fail($prog, "config file '$config' not found"); }
  else {
    $conf_name = 'built-in config';
    $conf = parse_config($prog, $be->{builtin}, $conf_name);
  }
  my ($sched_args, $threads) = scheduler_args($prog, $conf, $conf_name, \@user);

  my %codes = map { $_ => 0 } job_ids($spec);
  my @todo = pick_jobs($prog, $spec, $pick);
  report_and_exit($prog, $spec, \%codes) unless @todo;

  my $qdir = queue_dir($spec);
  ensure_dir($qdir);
  my $base = queue_base($spec);
  my $script = "$qdir/$base.sh";
  my %done = map { $_ => "$qdir/$base.$_.done" } @todo;
  unlink values %done;
  write_script($prog, $be, $spec, $script, \%done, \@todo, $threads);

  my @cmd = (@{ $conf->{command} }, @$sched_args,
    $be->{submit}->($base, $qdir, \@todo, $max_jobs), $script);
  my ($rc, $out) = capture(@cmd);
  fail($prog, "submission failed (code $rc): " . join(' ', @cmd) . "\n$out") if $rc != 0;
  my $job_id = $out =~ $be->{job_id_re} ? $1 : undef;
  print STDERR "$prog: warning: no job id in the output of '$conf->{command}[0]': $out\n"
    unless defined $job_id;

  my $cancel = sub {
    if (defined $job_id && $be->{cancel_cmd}) { capture(@{ $be->{cancel_cmd} }, $job_id); }
    print STDERR "$prog: interrupted; cancelled job " . ($job_id // '?') . "\n";
    exit 130;
  };
  local $SIG{INT} = $cancel;
  local $SIG{TERM} = $cancel;
  wait_for($prog, $be, $job_id, \%done, \%codes, $spec, $qdir, $base);
  report_and_exit($prog, $spec, \%codes);
}

sub usage {
  my ($be) = @_;
  my $p = $be->{prog};
  return <<"EOF";
Usage: $p [options] [JOB=1:N] <log> <command> [args...]
  Like run.pl, but submits one array job to $be->{scheduler} (script in <logdir>/q/), waits
  for it, and exits 1 with "K / N failed" when any job fails. Logs are written like run.pl's.
Options:
  --config FILE        scheduler options (default $be->{config}, else a built-in one)
  --gpu N, --mem X, --num-threads N, --<name> V   mapped through the config's 'option' lines
  --max-jobs-run N     at most N jobs running at once (array throttle)
  --pick all|failed    'failed' resubmits only jobs whose log does not end with code 0
Config lines:  command <submit command and fixed options>
               option <name>=<value> <options>    (exact value)
               option <name>=* <options with \$0>  (any value, \$0 replaced by it)
               default <name>=<value>
EOF
}

sub read_config {
  my ($prog, $path) = @_;
  open(my $fh, '<', $path) or fail($prog, "cannot read config $path: $!");
  local $/;
  my $text = <$fh>;
  close $fh;
  return parse_config($prog, $text, $path);
}

sub parse_config {
  my ($prog, $text, $name) = @_;
  my %c = (command => undef, exact => {}, star => {}, defaults => []);
  my $n = 0;
  for my $line (split /\n/, $text) {
    $n++;
    $line =~ s/#.*//;
    $line =~ s/^\s+|\s+$//g;
    next if $line eq '';
    if ($line =~ /^command\s+(.+)$/) {
      $c{command} = [split ' ', $1];
    } elsif ($line =~ /^option\s+([A-Za-z_]\w*)=(\S+)\s*(.*)$/) {
      if ($2 eq '*') { $c{star}{$1} = $3; } else { $c{exact}{$1}{$2} = $3; }
    } elsif ($line =~ /^default\s+([A-Za-z_]\w*)=(\S+)$/) {
      push @{ $c{defaults} }, [$1, $2];
    } else {
      fail($prog, "$name:$n: cannot parse '$line' (expected command/option/default)");
    }
  }
  fail($prog, "$name: no 'command' line") unless $c{command};
  return \%c;
}

# Map (defaults + user options) through the config; an option it does not know is an error.
sub scheduler_args {
  my ($prog, $conf, $conf_name, $user) = @_;
  my %value;
  my @order;
  for my $o (@{ $conf->{defaults} }, @$user) {
    push @order, $o->[0] unless exists $value{ $o->[0] };
    $value{ $o->[0] } = $o->[1];
  }
  my @args;
  for my $name (@order) {
    my $v = $value{$name};
    my $text;
    if (exists $conf->{exact}{$name} && exists $conf->{exact}{$name}{$v}) {
      $text = $conf->{exact}{$name}{$v};
    } elsif (exists $conf->{star}{$name}) {
      ($text = $conf->{star}{$name}) =~ s/\$0/$v/g;
    } else {
      (my $shown = $name) =~ tr/_/-/;
      fail($prog, "option --$shown $v is not supported by $conf_name "
          . "(add 'option $name=* ...' or 'option $name=$v ...')");
    }
    push @args, split(' ', $text);
  }
  my $threads = exists $value{num_threads} ? $value{num_threads} : 1;
  return (\@args, $threads);
}

# <logdir>/q, where <logdir> is the log's directory up to the first part naming JOB.
sub queue_dir {
  my ($spec) = @_;
  my $dir = dirname($spec->{log});
  if (defined $spec->{var}) {
    my @parts = split m{/}, $dir, -1;
    my @keep;
    for my $p (@parts) { last if index($p, $spec->{var}) >= 0; push @keep, $p; }
    $dir = @keep ? join('/', @keep) : '.';
    $dir = '/' if $dir eq '';
  }
  return "$dir/q";
}

sub queue_base {
  my ($spec) = @_;
  my $base = basename($spec->{log});
  $base =~ s/\.log$//;
  if (defined $spec->{var}) { $base =~ s/\.?\Q$spec->{var}\E//g; }
  $base =~ s/[^A-Za-z0-9_.-]/_/g;
  $base = "job$base" if $base !~ /^[A-Za-z]/;
  return $base;
}

sub sq {
  my ($s) = @_;
  $s =~ s/'/'\\''/g;
  return "'$s'";
}

sub write_script {
  my ($prog, $be, $spec, $script, $done, $todo, $threads) = @_;
  my $cwd = getcwd();
  my $body = "#!/usr/bin/env bash\n# Written by $prog: one task of an array job; "
    . "the task id comes from \$$be->{task_var}.\n"
    . "cd " . sq($cwd) . " || exit 1\n"
    . "[ -f ./path.sh ] && . ./path.sh\n"
    . "task=\${$be->{task_var}:-}\ncase \"\${task}\" in\n";
  for my $id (@$todo) {
    $body .= "  $id) log=" . sq(job_log($spec, $id)) . "; cmd=" . sq(job_command($spec, $id))
      . "; done_file=" . sq($done->{$id}) . " ;;\n";
  }
  # qsub -t takes one range, so a --pick failed rerun may start ids that already succeeded.
  $body .= "  [0-9]*) echo \"task \${task} was not selected in this submission\"; exit 0 ;;\n"
    . "  *) echo \"$prog job script: no task id in \\\$$be->{task_var}\" >&2; exit 1 ;;\nesac\n"
    . <<"EOF";
mkdir -p "\$(dirname "\${log}")"
{ echo "# \${cmd}"; echo "# Started at \$(date) on \${HOSTNAME:-\$(uname -n)}"; echo "#"; } > "\${log}"
t0=\$(date +%s)
rc=0
bash -c "\${cmd}" < /dev/null >> "\${log}" 2>&1 || rc=\$?
t=\$(( \$(date +%s) - t0 ))
echo "# Accounting: time=\${t} threads=$threads" >> "\${log}"
echo "# Ended (code \${rc}) at \$(date), elapsed time \${t} seconds" >> "\${log}"
echo "\${rc}" > "\${done_file}.tmp" && mv "\${done_file}.tmp" "\${done_file}"
exit "\${rc}"
EOF
  open(my $fh, '>', $script) or fail($prog, "cannot write $script: $!");
  print $fh $body;
  close $fh;
  chmod 0755, $script;
}

# Run a command, return (exit code, stdout+stderr); a missing program gives code 127.
sub capture {
  my @cmd = @_;
  my $pid = open(my $fh, '-|');
  return (127, "cannot fork: $!") unless defined $pid;
  if ($pid == 0) {
    open(STDERR, '>&', \*STDOUT);
    no warnings 'exec';
    exec { $cmd[0] } @cmd;
    print "cannot run $cmd[0]: $!\n";
    exit 127;
  }
  local $/;
  my $out = <$fh> // '';
  close $fh;
  my $st = $?;
  return (($st & 127) ? 128 + ($st & 127) : $st >> 8, $out);
}

# Poll the done files (backing off to 10 s, or SPOOFCM_QUEUE_POLL_MAX); every
# SPOOFCM_QUEUE_CHECK_SECONDS (60) ask the scheduler whether the job still exists. Twice
# unknown with done files missing means the scheduler dropped the jobs: code 1 each. A status
# command that fails otherwise (scheduler unreachable) is no answer: keep waiting.
sub wait_for {
  my ($prog, $be, $job_id, $done, $codes, $spec, $qdir, $base) = @_;
  my $poll_max = $ENV{SPOOFCM_QUEUE_POLL_MAX} // 10;
  my $check_every = $ENV{SPOOFCM_QUEUE_CHECK_SECONDS} // 60;
  my ($delay, $last_check, $gone, $warned) = (0.05, time(), 0, 0);
  my %left = %$done;
  while (1) {
    for my $id (keys %left) {
      next unless -f $left{$id};
      open(my $fh, '<', $left{$id}) or next;
      my $c = <$fh>;
      close $fh;
      $codes->{$id} = defined $c && $c =~ /^(\d+)/ ? $1 : 1;
      delete $left{$id};
    }
    last unless %left;
    if (defined $job_id && time() - $last_check >= $check_every) {
      $last_check = time();
      my ($rc, $out) = capture(@{ $be->{status_cmd} }, $job_id);
      if ($rc == 127) {
        $check_every = 1e12;    # no status command here: rely on done files only
      } elsif ($be->{job_gone}->($rc, $out)) {
        if (++$gone >= 2) {
          for my $id (sort { $a <=> $b } keys %left) {
            $codes->{$id} = 1;
            my $log = job_log($spec, $id);
            print STDERR "$prog: job $job_id task $id vanished from the scheduler without "
              . "finishing; see $log and $qdir/$base.$id.out\n";
          }
          last;
        }
      } else {
        $gone = 0;
        if ($rc != 0 && !$warned++) {
          (my $why = $out) =~ s/\s+/ /g;
          print STDERR "$prog: warning: cannot ask the scheduler about job $job_id ($why); "
            . "still waiting for its tasks\n";
        }
      }
    }
    sleep($delay);
    $delay = $delay * 1.5 > $poll_max ? $poll_max : $delay * 1.5;
  }
}

1;
