# Job launchers, Kaldi style: pick the backend here, never in a recipe. GPU jobs (stages 2, 3
# and 4 with --ngpu N) go through ${cuda_cmd} with --gpu 1 per job (slurm: --gres=gpu:1).
#   local machine : run.pl   (runs JOB=1:N in parallel, up to --max-jobs-run at once)
#   Slurm cluster : slurm.pl (options from conf/slurm.conf)
#   SGE/UGE       : queue.pl (options from conf/queue.conf)
# All three take: [--gpu N] [--mem X] [--num-threads N] [--max-jobs-run N] [--pick failed]
#   JOB=1:N <log with JOB> <command>   (see utils/run.pl --help).
# SPOOFCM_MAX_JOBS caps the jobs run.pl runs at once (default: number of cores).
# SPOOFCM_CMD_OPTS adds launcher options to every job, e.g. after fixing what made one job of
# a stage fail: SPOOFCM_CMD_OPTS="--pick failed" ./run.sh --stage <that stage> (reruns only
# the jobs whose logs do not end with code 0; jobs never run before count as failed).
cmd_backend=${SPOOFCM_CMD_BACKEND:-local}
cmd_opts=${SPOOFCM_CMD_OPTS:+ ${SPOOFCM_CMD_OPTS}}
case "${cmd_backend}" in
  local)
    export train_cmd="run.pl${SPOOFCM_MAX_JOBS:+ --max-jobs-run ${SPOOFCM_MAX_JOBS}}${cmd_opts}"
    export cuda_cmd="${train_cmd}" ;;
  slurm)
    export train_cmd="slurm.pl --config conf/slurm.conf${cmd_opts}"
    export cuda_cmd="slurm.pl --config conf/slurm.conf${cmd_opts}" ;;
  sge)
    export train_cmd="queue.pl --config conf/queue.conf${cmd_opts}"
    export cuda_cmd="queue.pl --config conf/queue.conf${cmd_opts}" ;;
  *) echo "cmd.sh: unknown SPOOFCM_CMD_BACKEND '${cmd_backend}' (local, slurm or sge)" >&2; return 1 ;;
esac
unset cmd_opts
