#!/usr/bin/env bash
# fix_data_dir.sh: repair a data dir (docs/formats.md) after maps were filtered or edited by hand.
# Usage: utils/fix_data_dir.sh <data-dir>
# Keeps only the utterances present in every map (wav.scp and every utt2* file), sorts each
# map with LC_ALL=C, drops lines without a value and exact duplicate lines, regenerates spk2utt
# from utt2spk, then validates the result. Originals are copied to <data-dir>/.backup/ first.
# Every removal is counted and printed; an utterance with two different lines in one map is an
# error (which line is right cannot be guessed), and so is a dir with nothing left.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/parse_options.sh"
prog=fix_data_dir.sh
fail() { echo "${prog}: error: $*" >&2; exit 1; }
[ $# -eq 1 ] || fail "usage: $0 <data-dir>"
dir=${1%/}
export LC_ALL=C
[ -d "${dir}" ] || fail "${dir}: data dir not found"
for f in wav.scp utt2spk; do [ -f "${dir}/${f}" ] || fail "${dir}/${f}: required file missing"; done

maps=(wav.scp)
for f in "${dir}"/utt2*; do [ -f "${f}" ] && maps+=("$(basename "${f}")"); done

tmp=$(mktemp -d "${dir}/.fix.XXXXXX")
trap 'rm -rf "${tmp}"' EXIT

# 1. each map on its own: drop malformed lines and identical duplicates, count them.
for m in "${maps[@]}"; do
  awk -v file="${dir}/${m}" -v stats="${tmp}/${m}.stats" '
    NF < 2 { bad++; next }
    $1 in line { if (line[$1] == $0) { dup++; next }
                 printf "%s: utterance %s has conflicting lines (%d and %d)\n", file, $1,
                   lineno[$1], FNR > "/dev/stderr"; err = 1; exit 1 }
    { line[$1] = $0; lineno[$1] = FNR; print }
    END { if (!err) print NR, bad + 0, dup + 0 > stats }' "${dir}/${m}" > "${tmp}/${m}.clean" ||
    fail "${dir}/${m}: cannot be fixed automatically (see above); edit it by hand"
done

# 2. the utterances present in every map.
( cd "${tmp}" && awk '{ n[$1]++ } END { for (k in n) { print k, n[k] } }' ./*.clean ) \
  > "${tmp}/counts"
n_maps=${#maps[@]}
total=$(wc -l < "${tmp}/counts")
awk -v n="${n_maps}" '$2 == n { print $1 }' "${tmp}/counts" | sort > "${tmp}/keep"
kept=$(wc -l < "${tmp}/keep")
removed=$((total - kept))
if [ "${kept}" -eq 0 ]; then
  fail "${dir}: no utterance is present in every map (${maps[*]}); nothing changed"
fi

# 3. back up, then write the filtered, sorted maps and a fresh spk2utt.
mkdir -p "${dir}/.backup"
for m in "${maps[@]}" spk2utt; do
  [ -f "${dir}/${m}" ] && cp -p "${dir}/${m}" "${dir}/.backup/${m}"
done
echo "${prog}: ${dir}: kept ${kept} of ${total} utterances, removed ${removed}" \
  "(not in every map of: ${maps[*]}); originals in ${dir}/.backup/"
if [ "${removed}" -gt 0 ]; then
  echo "${prog}:   removed utterances include:" \
    $(awk -v n="${n_maps}" '$2 != n { print $1 }' "${tmp}/counts" | sort | awk 'NR <= 5')
fi
for m in "${maps[@]}"; do
  awk 'NR == FNR { keep[$1]; next } $1 in keep' "${tmp}/keep" "${tmp}/${m}.clean" |
    sort -k1,1 > "${tmp}/${m}.new"
  read -r n_in n_bad n_dup < "${tmp}/${m}.stats"
  n_out=$(wc -l < "${tmp}/${m}.new")
  if [ "${n_in}" -ne "${n_out}" ]; then
    echo "${prog}:   ${m}: ${n_in} -> ${n_out} lines (${n_bad} without a value," \
      "${n_dup} duplicate, $((n_in - n_bad - n_dup - n_out)) not in every map)"
  fi
  mv "${tmp}/${m}.new" "${dir}/${m}"
done
awk '{ print $2, $1 }' "${dir}/utt2spk" | sort -k1,1 -k2,2 |
  awk '$1 != spk { if (NR > 1) print out; spk = $1; out = $1 }
       { out = out " " $2 } END { if (NR) print out }' > "${tmp}/spk2utt"
mv "${tmp}/spk2utt" "${dir}/spk2utt"

"$(dirname "${BASH_SOURCE[0]}")/validate_data_dir.sh" "${dir}"
