# Job launchers, Kaldi style: pick the backend here, never in a recipe.
#   local machine : run.pl   (runs JOB=1:N in parallel, up to --max-jobs-run at once)
#   Slurm cluster : slurm.pl (options from conf/slurm.conf)
#   SGE/UGE       : queue.pl (options from conf/queue.conf)
cmd_backend=${SPOOFCM_CMD_BACKEND:-local}
case "${cmd_backend}" in
  local)
    export train_cmd="run.pl"
    export cuda_cmd="run.pl"
    export decode_cmd="run.pl" ;;
  slurm)
    export train_cmd="slurm.pl --config conf/slurm.conf"
    export cuda_cmd="slurm.pl --config conf/slurm.conf"
    export decode_cmd="slurm.pl --config conf/slurm.conf" ;;
  sge)
    export train_cmd="queue.pl --config conf/queue.conf"
    export cuda_cmd="queue.pl --config conf/queue.conf"
    export decode_cmd="queue.pl --config conf/queue.conf" ;;
  *) echo "cmd.sh: unknown SPOOFCM_CMD_BACKEND '${cmd_backend}' (local, slurm or sge)" >&2; return 1 ;;
esac
