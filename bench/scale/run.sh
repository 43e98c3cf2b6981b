#!/usr/bin/env bash
# bench/scale: a full-size dry run of the ASVspoof 2021 LA and DF recipes on fake corpora.
#
#   bash bench/scale/run.sh [--out DIR] [--tracks "DF LA"] [--pcts "1 10"] [--fake-pcts "100"]
#                           [--model lfcc_lcnn] [--mini-root /work/corpus/default]
#
# 1. layout.py writes the official ASVspoof 2019 LA / 2021 LA+DF layouts (protocols, CM keys, ASV
#    key and scores) at 1 %, 10 % and 100 % of the official trial counts, audio as hard links to
#    a few hundred mini-corpus files (once; reused by later runs).
# 2. For each track and each of --pcts, the real recipe (egs/asvspoof2021_{la,df}/run.sh with
#    --recipe-dir/--db pointing at a run folder here) runs stages 0-5, each stage under
#    spoofcm.stagestats (wall time, CPU time, peak RSS of the stage's process tree, bytes left on
#    disk). The model is tiny (lfcc_lcnn, conf/train/mini.yaml, 1 epoch).
# 3. At each of --fake-pcts (100 %), stage 0 runs on the whole corpus; stage 4 is replaced by
#    synthetic scores (fake_scores.py: hours of CPU scoring would measure nothing new) and stage 5
#    runs on all trials.
# 4. table.py prints, per track and stage, the cost at each size and its growth against n log n.
# Outputs: DIR/stats.jsonl (one line per stage run), DIR/table.md, DIR/runs/<track>_<pct>/.
# A stage with a successful line in stats.jsonl is not run again (delete its line, and its
# outputs under DIR/runs/<track>_<pct>, to measure it again).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${root}/bench/out/scale
tracks="DF LA"
pcts="1 10"
fake_pcts=100
model=lfcc_lcnn
mini_root=${MINI_ROOT:-/work/corpus/default}
[ -d "${mini_root}" ] || mini_root=${root}/egs/mini/db/default
train_args="--train.max_epochs 1 --train.num_workers 0"
nj=2
. "${root}/utils/parse_options.sh"
mkdir -p "${out}"
out=$(cd "${out}" && pwd)
cd "${root}"
[ -n "${VIRTUAL_ENV:-}" ] || . ./path.sh
[ -f "${mini_root}/.done" ] || { echo "$0: error: no generated mini corpus at ${mini_root} (run ./run.sh --stop-stage 0 or set --mini-root)" >&2; exit 1; }
mkdir -p "${out}/runs"
stats=${out}/stats.jsonl
log() { echo "$(date '+%Y-%m-%d %H:%M:%S') [bench/scale] $*"; }

fracs=$(for p in ${pcts} ${fake_pcts}; do python -c "print(${p} / 100)"; done | paste -sd,)
log "fake corpora (${fracs} of full size) -> ${out}"
python bench/scale/layout.py --mini-root "${mini_root}" --out "${out}" --fractions "${fracs}"

# the recipe with its corpus roots at ${out}/f<pct> and data/ dump/ exp/ in a run folder
prepare_run() {  # $1 track $2 pct -> prints the run dir
  local t=$1 p=$2 rd
  rd=${out}/runs/$(echo "${t}" | tr 'A-Z' 'a-z')_${p}
  mkdir -p "${rd}"
  [ -e "${rd}/conf" ] || ln -s "${root}/egs/asvspoof2021_$(echo "${t}" | tr 'A-Z' 'a-z')/conf" "${rd}/conf"
  local c=${out}/f${p}
  cat > "${rd}/db.sh" <<DB
export ASVSPOOF2019_LA=${c}/LA
export ASVSPOOF2021_LA_EVAL=${c}/ASVspoof2021_LA_eval
export ASVSPOOF2021_DF_EVAL=${c}/ASVspoof2021_DF_eval
export ASVSPOOF2021_KEYS=${c}/keys
DB
  echo "${rd}"
}
stage() {  # $1 track $2 pct $3 run dir $4 stage
  local t=$1 p=$2 rd=$3 s=$4
  if grep -q "\"name\": \"${t} ${p}% stage ${s}\".*\"returncode\": 0" "${stats}" 2>/dev/null; then
    log "${t} ${p}%: stage ${s} already measured (${stats}), skipping"; return
  fi
  log "${t} ${p}%: stage ${s} (log: ${rd}/stage${s}.log)"
  SPOOFCM_IN_STAGE=1 python -m spoofcm.stagestats --name "${t} ${p}% stage ${s}" --json "${stats}" \
    --dir "${rd}/data" --dir "${rd}/dump" --dir "${rd}/exp" -- \
    "egs/asvspoof2021_$(echo "${t}" | tr 'A-Z' 'a-z')/run.sh" --recipe-dir "${rd}" --db "${rd}/db.sh" \
    --skip-setup true --models "${model}" --train-config conf/train/mini.yaml \
    --train-args "${train_args}" --nj "${nj}" --stage "${s}" --stop-stage "${s}" \
    > "${rd}/stage${s}.log" 2>&1 || { tail -5 "${rd}/stage${s}.log" >&2; exit 1; }
  tail -1 "${rd}/stage${s}.log"
}

for t in ${tracks}; do
  for p in ${pcts}; do
    rd=$(prepare_run "${t}" "${p}")
    for s in 0 1 2 3 4 5; do stage "${t}" "${p}" "${rd}" "${s}"; done
  done
  # stage 0 for real, synthetic stage-4 scores, stage 5 for real
  for p in ${fake_pcts}; do
    rd=$(prepare_run "${t}" "${p}")
    stage "${t}" "${p}" "${rd}" 0
    tag=${model}_mini
    small=$(ls -d "${out}"/runs/"$(echo "${t}" | tr 'A-Z' 'a-z')"_*/exp/"${tag}"/best.pt 2>/dev/null | head -1)
    [ -n "${small}" ] || { echo "$0: error: no trained ${tag} for ${t} at any of --pcts to take config.yaml from" >&2; exit 1; }
    eval_set=eval_$(echo "${t}" | tr 'A-Z' 'a-z')21
    python bench/scale/fake_scores.py --data "${rd}/data" --exp "${rd}/exp/${tag}" \
      --config-from "$(dirname "${small}")/config.yaml" --sets "dev ${eval_set}"
    stage "${t}" "${p}" "${rd}" 5
  done
done

python bench/scale/table.py --stats "${stats}" --runs "${out}/runs" | tee "${out}/table.md"
log "table in ${out}/table.md"
