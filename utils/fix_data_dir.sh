#!/usr/bin/env bash
# fix_data_dir.sh: repair a data dir (docs/formats.md) after maps were filtered or edited by hand.
# Usage: utils/fix_data_dir.sh <data-dir>
# Keeps only the utterances present in every map (wav.scp and every utt2* file), sorts each
# map with LC_ALL=C, drops lines without a value and exact duplicate lines, regenerates spk2utt
# from utt2spk, then validates the result. Originals are copied to <data-dir>/.backup/ first
# (a later run backs up to .backup.1, .backup.2, ...: no backup is ever overwritten).
# Text as spoofcm.textio reads it: a UTF-8 byte-order mark and CRs before LF are dropped (the
# maps are rewritten without them), a line that is not UTF-8 is an error naming file and line.
# Every removal is counted and printed; an utterance with two different lines in one map is an
# error (which line is right cannot be guessed), and so is a dir with nothing left. A failed
# write (e.g. a full disk) stops with "<file>: no space left on device" before any map changes.
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

# A failed command that writes $1: name the file and the OS error ("no space left on device").
write_failed() {
  local out=$1 err=$2 reason
  reason=$(printf '%s\n' "${err}" | grep -o -i -m1 -E 'no space left on device|disk quota exceeded|read-only file system|permission denied|input/output error' | tr 'A-Z' 'a-z' || true)
  fail "${out}: ${reason:-cannot write ($(printf '%s' "${err}" | tail -n 1))}"
}
to() {  # to OUT cmd...: run cmd with its output in OUT; exit code 3 = a data problem it reported
  local out=$1 err rc=0; shift
  err=$( { "$@" > "${out}"; } 2>&1 ) || rc=$?
  [ ${rc} -eq 0 ] && return 0
  [ ${rc} -eq 3 ] && { printf '%s\n' "${err}" >&2; return 3; }
  write_failed "${out}" "${err}"; exit 1
}

rm -rf "${dir}"/.fix.??????  # left by a run that was killed (kill -9 skips the trap below)
tmp=$(mktemp -d "${dir}/.fix.XXXXXX" 2>&1) || write_failed "${dir}/.fix.XXXXXX" "${tmp}"
trap 'rm -rf "${tmp}"' EXIT

# 1. each map on its own: drop malformed lines and identical duplicates, count them.
lib=$(dirname "${BASH_SOURCE[0]}")/lib
for m in "${maps[@]}"; do
  to "${tmp}/${m}.text" perl -I"${lib}" -MSpoofcmText=read_text_lines -e '
    print map { "$_\n" } read_text_lines($ARGV[0],
      sub { print STDERR "fix_data_dir.sh: error: $_[0]\n"; exit 3 })' "${dir}/${m}" || exit 1
  to "${tmp}/${m}.clean" awk -v file="${dir}/${m}" -v stats="${tmp}/${m}.stats" '
    NF < 2 { bad++; next }
    $1 in line { if (line[$1] == $0) { dup++; next }
                 printf "%s: utterance %s has conflicting lines (%d and %d)\n", file, $1,
                   lineno[$1], FNR > "/dev/stderr"; err = 1; exit 3 }
    { line[$1] = $0; lineno[$1] = FNR; print }
    END { if (!err) print NR, bad + 0, dup + 0 > stats }' "${tmp}/${m}.text" ||
    fail "${dir}/${m}: cannot be fixed automatically (see above); edit it by hand"
done

# 2. the utterances present in every map.
count_keys() { ( cd "${tmp}" && awk '{ n[$1]++ } END { for (k in n) { print k, n[k] } }' ./*.clean ); }
to "${tmp}/counts" count_keys
n_maps=${#maps[@]}
total=$(wc -l < "${tmp}/counts")
keep_keys() { awk -v n="${n_maps}" '$2 == n { print $1 }' "${tmp}/counts" | sort; }
to "${tmp}/keep" keep_keys
kept=$(wc -l < "${tmp}/keep")
removed=$((total - kept))
if [ "${kept}" -eq 0 ]; then
  fail "${dir}: no utterance is present in every map (${maps[*]}); nothing changed"
fi

# 3. write the filtered, sorted maps and a fresh spk2utt beside the originals, back the
# originals up into a new numbered folder (earlier backups are kept), then move the maps in.
for m in "${maps[@]}"; do
  keep_map() { awk 'NR == FNR { keep[$1]; next } $1 in keep' "${tmp}/keep" "${tmp}/${m}.clean" | sort -k1,1; }
  to "${tmp}/${m}.new" keep_map
done
make_spk2utt() {
  awk '{ print $2, $1 }' "${tmp}/utt2spk.new" | sort -k1,1 -k2,2 |
    awk '$1 != spk { if (NR > 1) print out; spk = $1; out = $1 }
         { out = out " " $2 } END { if (NR) print out }'
}
to "${tmp}/spk2utt.new" make_spk2utt
backup=${dir}/.backup
i=0
while [ -e "${backup}" ]; do i=$((i + 1)); backup=${dir}/.backup.${i}; done
for m in "${maps[@]}" spk2utt; do
  if [ -f "${dir}/${m}" ]; then
    err=$(mkdir -p "${tmp}/backup" 2>&1 && cp -p "${dir}/${m}" "${tmp}/backup/${m}" 2>&1) ||
      { write_failed "${backup}/${m}" "${err}"; exit 1; }
  fi
done
mv "${tmp}/backup" "${backup}"
echo "${prog}: ${dir}: kept ${kept} of ${total} utterances, removed ${removed}" \
  "(not in every map of: ${maps[*]}); originals in ${backup}/"
if [ "${removed}" -gt 0 ]; then
  echo "${prog}:   removed utterances include:" \
    $(awk -v n="${n_maps}" '$2 != n { print $1 }' "${tmp}/counts" | sort | awk 'NR <= 5')
fi
for m in "${maps[@]}"; do
  read -r n_in n_bad n_dup < "${tmp}/${m}.stats"
  n_out=$(wc -l < "${tmp}/${m}.new")
  if [ "${n_in}" -ne "${n_out}" ]; then
    echo "${prog}:   ${m}: ${n_in} -> ${n_out} lines (${n_bad} without a value," \
      "${n_dup} duplicate, $((n_in - n_bad - n_dup - n_out)) not in every map)"
  fi
done
for m in "${maps[@]}" spk2utt; do mv "${tmp}/${m}.new" "${dir}/${m}"; done

"$(dirname "${BASH_SOURCE[0]}")/validate_data_dir.sh" "${dir}"
