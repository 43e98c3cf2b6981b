#!/usr/bin/env bash
# Create or refresh the project environment: .venv with the CPU torch wheel and the package,
# plus the Debian packages the mini corpus needs (only when run as root); with --tests also
# those only the test suite needs (a real Slurm and Grid Engine), so ./run.sh does not pay
# for them.
# Idempotent and fast when nothing changed: a stamp records the hash of pyproject.toml and this script.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${root}"
venv=${SPOOFCM_VENV:-${root}/.venv}
python=${PYTHON:-python3}
apt_pkgs="sox ffmpeg espeak-ng flite festival festvox-kallpc16k codec2 flac
  asterisk-core-sounds-en-g722 asterisk-core-sounds-es-g722 asterisk-core-sounds-fr-g722
  asterisk-core-sounds-it-g722 asterisk-core-sounds-ru-g722
  asterisk-core-sounds-en asterisk-core-sounds-es asterisk-core-sounds-fr
  asterisk-core-sounds-it asterisk-core-sounds-ru asterisk-prompt-it-menardi-wav"
# never add asterisk-prompt-fr-armelle: it conflicts with asterisk-core-sounds-fr
# what the tests need beyond the corpus: a real one-node Slurm and Grid Engine
# (tests/helpers/slurm_cluster.py, tests/helpers/sge_cluster.py); installed with --tests
test_apt_pkgs=
if [ "${1:-}" = "--tests" ]; then
  test_apt_pkgs="slurmctld slurmd slurm-client munge gridengine-master gridengine-exec
  gridengine-client"
fi
stamp=${venv}/.spoofcm_setup
want=$(cat pyproject.toml local/setup_env.sh | sha1sum | cut -c1-16)

missing=()
for p in ${apt_pkgs} ${test_apt_pkgs}; do dpkg -s "${p}" >/dev/null 2>&1 || missing+=("${p}"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[setup] installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "[setup] warning: Debian packages missing (${missing[*]}); the mini corpus and tests need them." \
         "Install them as root: apt-get install ${missing[*]}" >&2
  fi
fi

if [ -f "${stamp}" ] && [ "$(cat "${stamp}")" = "${want}" ]; then
  exit 0
fi
if [ ! -x "${venv}/bin/python" ]; then
  echo "[setup] creating ${venv}"
  "${python}" -m venv "${venv}"
fi
. "${venv}/bin/activate"
pip install -q --upgrade pip
# torch 2.13.0 CPU: pip takes the local wheel on this machine kind; elsewhere PyPI's build.
if ! python -c 'import torch' 2>/dev/null; then
  echo "[setup] installing torch==2.13.0"
  pip install -q torch==2.13.0
fi
echo "[setup] installing spoofcm and its dependencies"
pip install -q -e ".[test,corpus]"
echo "${want}" > "${stamp}"
echo "[setup] environment ready: ${venv}"
