#!/usr/bin/env perl
# queue.pl: run.pl's interface on a Grid Engine (SGE/UGE) cluster (written for spoofcm).
# Submits array jobs with qsub (options from conf/queue.conf, see --help), waits, reports
# per-job exit codes. qsub -t takes one range, so a --pick failed rerun submits the range
# from the first to the last failed id; tasks in it that had succeeded exit 0 at once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/lib";
use SpoofcmCluster;

my $builtin = <<'EOF_CONF';
command qsub -v PATH -cwd -S /bin/bash -j y
option mem=* -l mem_free=$0,ram_free=$0
option mem=0
option num_threads=* -pe smp $0
option num_threads=1
default gpu=0
option gpu=0
option gpu=* -l gpu=$0
EOF_CONF

SpoofcmCluster::main({
    prog => 'queue.pl', scheduler => 'Grid Engine (qsub)', config => 'conf/queue.conf',
    builtin => $builtin, task_var => 'SGE_TASK_ID',
    submit => sub {
      my ($base, $qdir, $ids, $max_jobs) = @_;
      return ('-N', $base, '-o', "$qdir/$base.\$TASK_ID.out", '-t', "$ids->[0]-$ids->[-1]",
        $max_jobs ? ('-tc', $max_jobs) : ());
    },
    job_id_re => qr/Your job(?:-array)? (\d+)/,
    status_cmd => ['qstat', '-j'],
    # Gone: 'Following jobs do not exist'; any other error (qmaster unreachable) is no answer.
    job_gone => sub { my ($rc, $out) = @_; return $rc != 0 && $out =~ /do not exist/i; },
    cancel_cmd => ['qdel'],
  }, @ARGV);
