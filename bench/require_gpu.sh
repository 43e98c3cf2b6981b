# Source me: require_gpu NAME — the one CUDA check of the bench/gpu_*.sh scripts. Without
# nvidia-smi or a CUDA-enabled torch it prints one line naming NAME and exits 2 (the exit code
# the scripts document); otherwise it prints the GPU's name and memory.
require_gpu() {
  if ! command -v nvidia-smi >/dev/null 2>&1 || \
     ! python -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "$1: error: no CUDA device here (nvidia-smi or torch.cuda unavailable); run it on a GPU machine" >&2
    exit 2
  fi
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
}
