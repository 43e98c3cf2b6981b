#!/usr/bin/env bash
# Launch spoofcm-train on one CPU/GPU, several GPUs (torchrun, NCCL), several nodes, or several
# CPU processes (torchrun, gloo), through ${cuda_cmd} so the same line works locally and on
# Slurm/SGE.
#
#   local/launch_train.sh [--ngpu N] [--num-nodes M] [--nproc P] [--rdzv-host H] --log LOG -- <spoofcm-train args>
#
#   --ngpu N       GPUs per node (0 = CPU). N <= 1 on one node: spoofcm-train runs directly.
#   --num-nodes M  nodes; M > 1 submits M jobs (LOG gets .1 .. .M) that meet at --rdzv-host.
#   --nproc P      CPU data-parallel processes (gloo) on this machine, for testing DDP.
#   --rdzv-host H  rendezvous host for multi-node runs: must be one of the nodes (default:
#                  this host; under Slurm, the first node of the allocation).
# The rendezvous port is a free port chosen per launch, so two jobs on one node never collide.
set -euo pipefail
ngpu=0
num_nodes=1
nproc=0
rdzv_host=
log=
while [ $# -gt 0 ]; do
  case "$1" in
    --ngpu) ngpu=$2; shift 2 ;;
    --num-nodes) num_nodes=$2; shift 2 ;;
    --nproc) nproc=$2; shift 2 ;;
    --rdzv-host) rdzv_host=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "launch_train.sh: error: unknown option '$1' (see --help)" >&2; exit 1 ;;
  esac
done
[ -n "${log}" ] || { echo "launch_train.sh: error: --log is required" >&2; exit 1; }
for v in "${ngpu}" "${num_nodes}" "${nproc}"; do
  [[ "${v}" =~ ^[0-9]+$ ]] || { echo "launch_train.sh: error: counts must be integers, got '${v}'" >&2; exit 1; }
done
[ "${num_nodes}" -ge 1 ] || { echo "launch_train.sh: error: --num-nodes must be >= 1" >&2; exit 1; }
if [ -z "${cuda_cmd:-}" ]; then
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  export PATH="${root}/utils:${PATH}"
  . "${root}/cmd.sh"
fi
mkdir -p "$(dirname "${log}")"
# a relaunch (--resume after a kill) must not lose the earlier attempt's log: LOG -> LOG.1, ...
rotate=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/utils/rotate_logs.sh
if [ "${num_nodes}" -gt 1 ]; then
  for j in $(seq 1 "${num_nodes}"); do "${rotate}" "${log}.${j}"; done
else
  "${rotate}" "${log}"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1]); s.close()'; }

if [ "${nproc}" -gt 1 ]; then
  # CPU data parallel (gloo): P processes on this machine.
  port=$(free_port)
  ${cuda_cmd} "${log}" torchrun --nproc-per-node "${nproc}" --nnodes 1 --rdzv-backend c10d \
    --rdzv-endpoint "localhost:${port}" --rdzv-id "spoofcm-${port}" \
    -m spoofcm.bin.train --device cpu "$@"
elif [ "${num_nodes}" -eq 1 ] && [ "${ngpu}" -le 1 ]; then
  device=cpu; [ "${ngpu}" -eq 1 ] && device=cuda
  ${cuda_cmd} --gpu "${ngpu}" "${log}" spoofcm-train --device "${device}" "$@"
elif [ "${num_nodes}" -eq 1 ]; then
  port=$(free_port)
  ${cuda_cmd} --gpu "${ngpu}" "${log}" torchrun --nproc-per-node "${ngpu}" --nnodes 1 \
    --rdzv-backend c10d --rdzv-endpoint "localhost:${port}" --rdzv-id "spoofcm-${port}" \
    -m spoofcm.bin.train --device cuda "$@"
else
  if [ -z "${rdzv_host}" ]; then
    if [ -n "${SLURM_JOB_NODELIST:-}" ] && command -v scontrol >/dev/null; then
      rdzv_host=$(scontrol show hostnames "${SLURM_JOB_NODELIST}" | head -n 1)
    else
      rdzv_host=$(hostname)
    fi
  fi
  port=$(free_port)
  [ "${ngpu}" -ge 1 ] && device=cuda || device=cpu
  nper=$(( ngpu > 0 ? ngpu : 1 ))
  ${cuda_cmd} --gpu "${ngpu}" JOB=1:"${num_nodes}" "${log}.JOB" torchrun \
    --nproc-per-node "${nper}" --nnodes "${num_nodes}" --rdzv-backend c10d \
    --rdzv-endpoint "${rdzv_host}:${port}" --rdzv-id "spoofcm-${rdzv_host}-${port}" \
    -m spoofcm.bin.train --device "${device}" "$@"
fi
