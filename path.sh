# Sourced by run.sh and the recipes: the project's environment.
spoofcm_root=${spoofcm_root:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
if [ -f "${spoofcm_root}/.venv/bin/activate" ] && [ -z "${SPOOFCM_NO_VENV:-}" ]; then
  . "${spoofcm_root}/.venv/bin/activate"
fi
export PATH="${spoofcm_root}/utils:${PATH}"
export PYTHONUNBUFFERED=1
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export MPLBACKEND=Agg
