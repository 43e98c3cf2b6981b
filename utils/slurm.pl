#!/usr/bin/env perl
# slurm.pl: run.pl's interface on a Slurm cluster (written for spoofcm). Submits one array job
# with sbatch (options from conf/slurm.conf, see --help), waits, reports per-job exit codes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/lib";
use SpoofcmCluster;

my $builtin = <<'EOF_CONF';
command sbatch --export=PATH --ntasks-per-node=1
option time=* --time $0
option mem=* --mem-per-cpu $0
option mem=0
option num_threads=* --cpus-per-task $0
option num_threads=1 --cpus-per-task 1
default gpu=0
option gpu=0
option gpu=* --gres=gpu:$0
EOF_CONF

SpoofcmCluster::main({
    prog => 'slurm.pl', scheduler => 'Slurm (sbatch)', config => 'conf/slurm.conf',
    builtin => $builtin, task_var => 'SLURM_ARRAY_TASK_ID',
    submit => sub {
      my ($base, $qdir, $ids, $max_jobs) = @_;
      my $array = join(',', @$ids) . ($max_jobs ? "%$max_jobs" : '');
      return ("--job-name=$base", "--array=$array", "--output=$qdir/$base.%a.out");
    },
    job_id_re => qr/Submitted batch job (\d+)/,
    status_cmd => ['squeue', '--noheader', '--format=%i', '--jobs'],
    # Gone: no line for it, or 'Invalid job id' once slurmctld has purged it. Any other error
    # (controller down or busy) says nothing about the job.
    job_gone => sub {
      my ($rc, $out) = @_;
      return $rc == 0 ? $out !~ /\d/ : $out =~ /Invalid job id/i;
    },
    cancel_cmd => ['scancel'],
  }, @ARGV);
