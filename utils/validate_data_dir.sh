#!/usr/bin/env bash
# validate_data_dir.sh: check data dirs of the docs/formats.md format (sorted, unique keys, the
# same utterances in every map, spk2utt matching utt2spk, valid labels and subsets).
# Usage: utils/validate_data_dir.sh [--check-audio true] <data-dir> [<data-dir> ...]
# Prints "validated <dir>: N utterances, ..." per dir, or one error line and exits 1.
# The rules live in Python (spoofcm.data.datadir), shared with every stage program.
set -euo pipefail
check_audio=false   # also check that every wav.scp path exists
. "$(dirname "${BASH_SOURCE[0]}")/parse_options.sh"
if [ $# -lt 1 ]; then
  echo "usage: $0 [--check-audio true] <data-dir> [<data-dir> ...]" >&2
  exit 1
fi
if ! command -v spoofcm-validate-data > /dev/null; then
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  # shellcheck disable=SC1091
  [ -f "${root}/path.sh" ] && . "${root}/path.sh"
fi
command -v spoofcm-validate-data > /dev/null || {
  echo "$0: error: spoofcm-validate-data not found; activate the environment (. ./path.sh)" >&2
  exit 1
}
args=()
[ "${check_audio}" = true ] && args+=(--check-audio)
exec spoofcm-validate-data "${args[@]}" "$@"
