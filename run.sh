#!/usr/bin/env bash
# spoofcm stage driver (the one shared recipe script, like ESPnet's TEMPLATE/asr.sh).
# Every egs/<recipe>/run.sh only sets options and calls this script. Run from the top level
# with no --recipe-dir, it runs the embedded mini recipe (egs/mini/run.sh) end to end.
#
#   ./run.sh --stage 0 --stop-stage 5        # stages: 0 data, 1 log-mel, 2 SSL cache,
#                                            #         3 train, 4 score, 5 evaluate
set -euo pipefail

spoofcm_root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)

# ---------------------------------------------------------------- options (all overridable)
stage=0
stop_stage=5
recipe_dir=          # egs/<recipe>; data/ dump/ exp/ are written here
db=                  # db.sh naming the corpus roots (default: <recipe_dir>/db.sh)
track=LA             # LA, DF or both: which 2021 eval sets to prepare and evaluate
models=fusion_cbam_resnet18   # one or more --model names (space-separated)
model=               # alias: a single model (overrides --models)
train_config=conf/train/default.yaml
recipe_config=       # track overrides (egs/<recipe>/conf/*.yaml), merged after the model yaml
train_args=          # extra config overrides, e.g. "--train.max_epochs 2"
tag_suffix=          # appended to exp/<model>_<train-config> tags
nj=2                 # parallel jobs for feature extraction and scoring
ngpu=0               # GPUs per node for training (0 = CPU)
num_nodes=1          # nodes for multi-node training (torchrun)
ssl_checkpoint=      # fairseq .pt or Hugging Face folder (overrides ssl.checkpoint)
make_tiny_ssl=false  # write a random tiny fairseq-format checkpoint at ssl_checkpoint if missing
mini_size=default    # mini recipe only: default or tiny corpus
seed=0
resume=true          # stage 3: continue from latest.pt when present
skip_setup=false     # do not run local/setup_env.sh
asv_scores=          # stage 5 (LA): your own ASV scores instead of the keys' ASVtorch_kaldi/score.txt
allow_missing_audio=false  # stage 0: drop (and count) key trials whose audio is absent

orig_args=("$@")
. "${spoofcm_root}/utils/parse_options.sh"

if [ -z "${recipe_dir}" ]; then
  # The embedded default: the mini recipe, end to end.
  exec "${spoofcm_root}/egs/mini/run.sh" ${orig_args[@]+"${orig_args[@]}"}
fi

recipe_dir=$(cd "${recipe_dir}" && pwd)
[ -n "${db}" ] || db=${recipe_dir}/db.sh
[ -n "${model}" ] && models=${model}
cd "${spoofcm_root}"
if [ "${skip_setup}" != true ]; then
  local/setup_env.sh
fi
. ./path.sh
. ./cmd.sh

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') [run.sh] $*"; }
resume_hint() { log "to resume: $0 --recipe-dir ${recipe_dir} --stage $1 --stop-stage ${SPOOFCM_STOP_STAGE:-${stop_stage}} (other options as before)"; }

data=${recipe_dir}/data
dump=${recipe_dir}/dump
expdir=${recipe_dir}/exp
case ${track} in
  LA) eval_sets="eval_la21" ;;
  DF) eval_sets="eval_df21" ;;
  both) eval_sets="eval_la21 eval_df21" ;;
  *) echo "run.sh: error: --track must be LA, DF or both, got '${track}'" >&2; exit 1 ;;
esac
all_sets="train dev ${eval_sets}"

# config files for a model: train yaml, model yaml, recipe overrides, recipe per-model overrides
config_args() {
  local m=$1
  [ -f "conf/model/${m}.yaml" ] || { echo "run.sh: error: unknown --model '${m}' (no conf/model/${m}.yaml)" >&2; exit 1; }
  echo -n "--config ${train_config} --config conf/model/${m}.yaml"
  for c in ${recipe_config}; do echo -n " --config ${c}"; done
  # per-model recipe overrides (sizes, augmentation), when the recipe has them
  if [ -f "${recipe_dir}/conf/model/${m}.yaml" ]; then echo -n " --config ${recipe_dir}/conf/model/${m}.yaml"; fi
  if [ -n "${ssl_checkpoint}" ]; then echo -n " --ssl.checkpoint ${ssl_checkpoint}"; fi
  echo -n " --train.seed ${seed} ${train_args}"
}
cfg_get() { local m=$1 key=$2; python -m spoofcm.bin.cfg_get $(config_args "${m}") --key "${key}"; }
exp_tag() { echo "${1}_$(basename "${train_config}" .yaml)${tag_suffix:+_${tag_suffix}}"; }

# the model's SSL checkpoint; with --make-tiny-ssl true a random tiny one is written if missing
ensure_ssl_checkpoint() {
  local m=$1 ckpt
  ckpt=$(cfg_get "${m}" ssl.checkpoint)
  if [ -n "${ckpt}" ] && [ ! -e "${ckpt}" ] && [ "${make_tiny_ssl}" = true ]; then
    log "writing a random tiny fairseq-format SSL checkpoint to ${ckpt}" >&2
    spoofcm-make-tiny-ssl --out "${ckpt}" --seed "${seed}" >&2
  fi
  echo "${ckpt}"
}

# run a sharded program over a data dir: $1 set, $2 output dir, $3 log name, rest: command.
# The command gets --job JOB --nj N and writes its part atomically; finished parts are skipped.
run_sharded() {
  local set=$1 out=$2 name=$3; shift 3
  mkdir -p "${out}/log"
  ${train_cmd} JOB=1:${nj} "${out}/log/${name}.JOB.log" "$@" --job JOB --nj "${nj}"
}
merge_parts() {  # $1 out dir, $2 part prefix (e.g. feats), $3 ext (scp/txt), $4 merged name
  local out=$1 prefix=$2 ext=$3 merged=$4 parts=()
  for j in $(seq 1 "${nj}"); do parts+=("${out}/${prefix}.${j}.${ext}"); done
  LC_ALL=C sort -k1,1 "${parts[@]}" > "${out}/.${merged}.tmp" && mv "${out}/.${merged}.tmp" "${out}/${merged}"
}

# each stage runs in its own process under spoofcm.stagestats, so that its log ends with its
# wall time, CPU time, peak RSS and the bytes it left in data/ dump/ exp/ (utils/stage_stats.sh)
. utils/stage_stats.sh
if [ -z "${SPOOFCM_IN_STAGE:-}" ]; then
  run_stages_with_stats "${stage}" "${stop_stage}" "${data}" "${dump}" "${expdir}" -- \
    "${spoofcm_root}/run.sh" ${orig_args[@]+"${orig_args[@]}"} --skip-setup true
  exit 0
fi

# ------------------------------------------------------------------ stage 0: data preparation
if [ ${stage} -le 0 ] && [ ${stop_stage} -ge 0 ]; then
  log "stage 0: data preparation -> ${data}"
  if [ -x "${recipe_dir}/local/prepare_corpus.sh" ]; then
    "${recipe_dir}/local/prepare_corpus.sh" --size "${mini_size}" --seed "${seed}"
  fi
  . "${db}"
  local/data_prep.sh --track "${track}" --out "${data}" --allow-missing-audio "${allow_missing_audio}"
  for s in ${all_sets}; do utils/validate_data_dir.sh "${data}/${s}"; done
  resume_hint 1
fi

# ------------------------------------------------------------------ stage 1: log-mel dump
if [ ${stage} -le 1 ] && [ ${stop_stage} -ge 1 ]; then
  for s in ${all_sets}; do
    out=${dump}/logmel/${s}
    if [ -f "${out}/feats.scp" ] && [ -f "${out}/.done" ]; then log "stage 1: ${out} done, skipping"; continue; fi
    log "stage 1: log-mel features of ${s} -> ${out}/feats.scp (${nj} jobs)"
    run_sharded "${s}" "${out}" dump spoofcm-dump-logmel --data "${data}/${s}" --out "${out}"
    merge_parts "${out}" feats scp feats.scp
    merge_parts "${out}" utt2num_frames txt utt2num_frames
    touch "${out}/.done"
  done
  resume_hint 2
fi

# ------------------------------------------------------------------ stage 2: SSL feature cache
if [ ${stage} -le 2 ] && [ ${stop_stage} -ge 2 ]; then
  for m in ${models}; do
    if [ "$(cfg_get "${m}" ssl.cache)" != true ]; then
      log "stage 2: model ${m} needs no SSL cache, skipping"; continue
    fi
    ckpt=$(ensure_ssl_checkpoint "${m}")
    layers=$(cfg_get "${m}" ssl.layers)
    trust=; [ "$(cfg_get "${m}" ssl.trust_checkpoint)" = true ] && trust=--trust-checkpoint
    ssl_tag=$(spoofcm-dump-ssl --print-tag --checkpoint "${ckpt}" --layers "${layers}" ${trust})
    for s in ${all_sets}; do
      out=${dump}/ssl/${ssl_tag}/${s}
      if [ -f "${out}/feats.scp" ] && [ -f "${out}/.done" ]; then log "stage 2: ${out} done, skipping"; continue; fi
      log "stage 2: SSL layers ${layers} of ${s} -> ${out}/feats.scp (${nj} jobs)"
      run_sharded "${s}" "${out}" dump spoofcm-dump-ssl --data "${data}/${s}" --out "${out}" \
        --checkpoint "${ckpt}" --layers "${layers}" --ngpu "${ngpu}" ${trust}
      merge_parts "${out}" feats scp feats.scp
      merge_parts "${out}" utt2num_frames txt utt2num_frames
      touch "${out}/.done"
    done
  done
  resume_hint 3
fi

# ------------------------------------------------------------------ stage 3: training
if [ ${stage} -le 3 ] && [ ${stop_stage} -ge 3 ]; then
  for m in ${models}; do
    tag=$(exp_tag "${m}")
    if [ -f "${expdir}/${tag}/best.pt" ] && [ -f "${expdir}/${tag}/.done" ]; then
      log "stage 3: ${expdir}/${tag} already trained, skipping"; continue
    fi
    log "stage 3: training ${m} -> ${expdir}/${tag} (log: ${expdir}/${tag}/train.log)"
    ensure_ssl_checkpoint "${m}" > /dev/null
    mkdir -p "${expdir}/${tag}"
    local/launch_train.sh --ngpu "${ngpu}" --num-nodes "${num_nodes}" --log "${expdir}/${tag}/train.log" -- \
      $(config_args "${m}") --data-dir "${data}" --dump-dir "${dump}" --exp "${expdir}/${tag}" \
      --train-set train --dev-set dev $( [ "${resume}" = true ] && echo --resume )
    touch "${expdir}/${tag}/.done"
  done
  resume_hint 4
fi

# ------------------------------------------------------------------ stage 4: scoring
if [ ${stage} -le 4 ] && [ ${stop_stage} -ge 4 ]; then
  for m in ${models}; do
    tag=$(exp_tag "${m}")
    for s in dev ${eval_sets}; do
      out=${expdir}/${tag}/scores/${s}
      if [ -f "${out}/score.txt" ] && [ -f "${out}/.done" ]; then log "stage 4: ${out} done, skipping"; continue; fi
      log "stage 4: scoring ${s} with ${tag} -> ${out}/score.txt"
      run_sharded "${s}" "${out}" infer spoofcm-infer --exp "${expdir}/${tag}" --data "${data}/${s}" \
        --dump-dir "${dump}" --out "${out}"
      merge_parts "${out}" score txt score.txt
      touch "${out}/.done"
    done
  done
  resume_hint 5
fi

# ------------------------------------------------------------------ stage 5: evaluation
if [ ${stage} -le 5 ] && [ ${stop_stage} -ge 5 ]; then
  . "${db}"
  for m in ${models}; do
    tag=$(exp_tag "${m}")
    # dev (seen attacks): labels and attacks from the data dir, so RESULTS.md shows them too
    log "stage 5: evaluating ${tag} on dev -> ${expdir}/${tag}/results/dev"
    spoofcm-eval --scores "${expdir}/${tag}/scores/dev/score.txt" --data "${data}/dev" \
      --out "${expdir}/${tag}/results/dev" 2> >(grep -v "no utt2subset" >&2)
    for s in ${eval_sets}; do
      case ${s} in eval_la21) t=LA ;; eval_df21) t=DF ;; esac
      out=${expdir}/${tag}/results/${s}
      log "stage 5: evaluating ${tag} on ${s} (${t}) -> ${out}"
      spoofcm-eval --scores "${expdir}/${tag}/scores/${s}/score.txt" --keys "${ASVSPOOF2021_KEYS}" \
        --track "${t}" --subset eval --out "${out}" \
        --dev-scores "${expdir}/${tag}/scores/dev/score.txt" --dev-data "${data}/dev" \
        --calibration "${expdir}/${tag}/calibration.json" ${asv_scores:+--asv-scores "${asv_scores}"}
    done
  done
  # the recipe command that regenerates RESULTS.md: every model that has results
  done_models=$(for c in "${expdir}"/*/results; do
      awk '/^model:/{m=1; next} m && /^  name:/{print $2; exit}' "$(dirname "${c}")/config.yaml"
    done | sort -u | tr '\n' ' ' | sed 's/ $//')
  regen="egs/$(basename "${recipe_dir}")/run.sh --models \"${done_models}\""
  if [ "$(ls -d "${expdir}"/*/results 2>/dev/null | wc -l)" -gt 1 ]; then
    local/make_tables.sh --recipe-dir "${recipe_dir}" --out "${recipe_dir}/RESULTS.md" --command "${regen}"
  else
    spoofcm-report --recipe-dir "${recipe_dir}" --out "${recipe_dir}/RESULTS.md" --command "${regen}"
  fi
  # the pooled table, for the log
  awk '/^\| experiment/{f=1} f && /^$/{exit} f' "${recipe_dir}/RESULTS.md"
  log "stage 5: results table in ${recipe_dir}/RESULTS.md"
fi
