#!/usr/bin/env bash
# Stage 0: data dirs from the official ASVspoof layouts (real corpus or the mini corpus).
#
#   local/data_prep.sh --track LA|DF|both|ASV5|ITW --out <data> [--allow-missing-audio true]
#
# ASV5: <data>/{train,dev,eval_asv5} from the ASVspoof 5 Track 1 protocols ($ASVSPOOF5);
# ITW: only <data>/eval_itw from the In-the-Wild release ($IN_THE_WILD; evaluation only).
#
# Reads the corpus roots that db.sh exports (ASVSPOOF2019_LA, ASVSPOOF2021_LA_EVAL,
# ASVSPOOF2021_DF_EVAL, ASVSPOOF2021_KEYS) and writes <data>/{train,dev} from the 2019 LA CM
# protocols, plus <data>/eval_la21 (track LA), <data>/eval_df21 (DF) or both, from the 2021 keys.
# Finished sets are skipped (spoofcm-prep keeps a done marker); each set is validated.
set -euo pipefail

track=LA                  # LA, DF or both: which 2021 eval sets to prepare
out=                      # the recipe's data/ folder
allow_missing_audio=false # drop key lines without audio (the count is reported) instead of failing
. "$(dirname "${BASH_SOURCE[0]}")/../utils/parse_options.sh"
[ -n "${out}" ] || { echo "$0: error: --out is required" >&2; exit 1; }
sets=$(python -m spoofcm.tracks --sets "${track}") || exit 1
extra=()
[ "${allow_missing_audio}" = true ] && extra+=(--allow-missing-audio)

for s in ${sets}; do
  prep_set=${s}   # ASVspoof 5 train/dev come from its own protocols
  [ "${track}" = ASV5 ] && case ${s} in train|dev) prep_set=${s}_asv5 ;; esac
  echo "$(date '+%Y-%m-%d %H:%M:%S') [data_prep.sh] ${prep_set} -> ${out}/${s}"
  spoofcm-prep --set "${prep_set}" --out "${out}/${s}" "${extra[@]}"
done
