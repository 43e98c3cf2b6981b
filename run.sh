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
track=LA             # LA, DF or both (2021 eval sets), ASV5 (ASVspoof 5), ITW (In-the-Wild, eval only)
expdir=              # experiments folder (default <recipe_dir>/exp; ITW: the training recipe's)
models=fusion_cbam_resnet18   # one or more --model names (space-separated)
model=               # alias: a single model (overrides --models)
train_config=conf/train/default.yaml
recipe_config=       # track overrides (egs/<recipe>/conf/*.yaml), merged after the model yaml
train_args=          # extra config overrides, e.g. "--train.max_epochs 2"
tag_suffix=          # appended to exp/<model>_<train-config> tags (a new experiment)
nj=2                 # parallel jobs for feature extraction and scoring
ngpu=0               # GPUs: training (per node), and stages 2 and 4 spread their jobs over them
num_nodes=1          # nodes for multi-node training (torchrun)
ssl_checkpoint=      # fairseq .pt or Hugging Face folder (overrides ssl.checkpoint)
cache_eval=false     # stages 1-2 also cache the eval sets (default: stage 4 computes their features)
seed=0               # a single training seed (= --seeds N)
seeds=               # training seeds, e.g. "0 1 2": one experiment exp/<tag>_seed<N> each (default: --seed)
resume=true          # stage 3: continue from latest.pt when present
skip_setup=false     # do not run local/setup_env.sh
asv_scores=          # stage 5 (LA): your own ASV scores instead of the keys' ASVtorch_kaldi/score.txt
allow_missing_audio=false  # stage 0: drop (and count) key trials whose audio is absent
fuse=                # e.g. "fusion_cbam_resnet18 rawnet2": add exp/fused_<a>+<b>_<cfg>_seed<N> (score fusion)
pretrained=          # "aasist:PATH aasist_l:PATH aasist_asvspoof5:PATH": released AASIST models,
                     # imported (stage 3) and scored/evaluated beside the trained ones (stages 4-5)

orig_args=("$@")
. "${spoofcm_root}/utils/parse_options.sh"
# integers and booleans were type-checked by parse_options.sh; ranges are checked here, before
# anything runs (set-up included)
at_least() { [ "${!1}" -ge "$2" ] || { echo "run.sh: error: --${1//_/-} must be at least $2, got '${!1}'" >&2; exit 1; }; }
at_least stage 0; at_least nj 1; at_least ngpu 0; at_least num_nodes 1
[ "${stop_stage}" -ge "${stage}" ] ||
  { echo "run.sh: error: --stop-stage ${stop_stage} is before --stage ${stage}: nothing to run" >&2; exit 1; }

if [ -z "${recipe_dir}" ]; then
  # The embedded default: the mini recipe, end to end.
  exec "${spoofcm_root}/egs/mini/run.sh" ${orig_args[@]+"${orig_args[@]}"}
fi

recipe_dir=$(cd "${recipe_dir}" && pwd)
[ -z "${expdir}" ] || expdir=$(mkdir -p "${expdir}" && cd "${expdir}" && pwd)
[ -n "${db}" ] || db=${recipe_dir}/db.sh
[ -n "${model}" ] && models=${model}
[ -n "${seeds}" ] || seeds=${seed}
for s in ${seeds}; do
  case ${s} in ''|*[!0-9]*) echo "run.sh: error: --seeds takes non-negative integers, got '${s}'" >&2; exit 1 ;; esac
done
# ---- pretrained releases (issue 16, docs/pretrained_aasist.md): name:path pairs, made absolute
pretrained_abs=
for p in ${pretrained}; do
  f=${p#*:}
  { [ "${p%%:*}" != "${p}" ] && [ -f "${f}" ]; } || {
    echo "run.sh: error: --pretrained wants name:path pairs of existing files, got '${p}'" >&2; exit 1; }
  pretrained_abs+="${p%%:*}:$(cd "$(dirname "${f}")" && pwd)/$(basename "${f}") "
done
# ---- end pretrained
cd "${spoofcm_root}"
if [ "${skip_setup}" != true ]; then
  local/setup_env.sh
fi
. ./path.sh
. ./cmd.sh

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') [run.sh] $*"; }
resume_hint() {
  local stop=${SPOOFCM_STOP_STAGE:-${stop_stage}}
  if [ "$1" -gt "${stop}" ]; then log "all stages done (up to --stop-stage ${stop})"; return; fi
  log "to resume: $0 --recipe-dir ${recipe_dir} --stage $1 --stop-stage ${stop} (other options as before)"
}

data=${recipe_dir}/data
dump=${recipe_dir}/dump
[ -n "${expdir}" ] || expdir=${recipe_dir}/exp
# the track's eval sets, every set its recipe prepares (evaluation-only tracks: eval sets only)
# and the track of each eval set, from spoofcm.tracks
_t=$(python -m spoofcm.tracks --shell "${track}") || exit 1
mapfile -t _t <<< "${_t}"
eval_sets=${_t[0]}; all_sets=${_t[1]}
declare -A track_of; read -r -a _tracks <<< "${_t[2]}"
_sets=(${eval_sets}); for i in "${!_sets[@]}"; do track_of[${_sets[$i]}]=${_tracks[$i]}; done
# stages 1-2 cache what training reads again and again; eval sets only with --cache-eval true
cache_sets=; for s in ${all_sets}; do
  case ${s} in train|dev) cache_sets+=" ${s}" ;; *) [ "${cache_eval}" = true ] && cache_sets+=" ${s}" ;; esac
done
# GPU jobs (stages 2 and 4) go through ${cuda_cmd} with one GPU each; job J uses GPU (J-1) mod ngpu
job_cmd=${train_cmd}; gpu_opts=()
if [ "${ngpu}" -gt 0 ]; then
  # a local run needs the GPUs here; a cluster job gets its own through the scheduler
  if [ "${SPOOFCM_CMD_BACKEND:-local}" = local ]; then python -m spoofcm.device "${ngpu}" || exit 1; fi
  job_cmd="${cuda_cmd} --gpu 1"; gpu_opts=(--ngpu "${ngpu}")
fi

for m in ${models}; do  # every --model is known before any stage starts
  [ -f "conf/model/${m}.yaml" ] || { echo "run.sh: error: unknown --model '${m}'; choose one of: $(python -c 'from spoofcm.models.registry import model_names; print(" ".join(model_names()))')" >&2; exit 1; }
done

# config files for a model: train yaml, model yaml, recipe overrides, recipe per-model overrides
config_args() {
  local m=$1
  echo -n "--config ${train_config} --config conf/model/${m}.yaml"
  for c in ${recipe_config}; do echo -n " --config ${c}"; done
  # per-model recipe overrides (sizes, augmentation), when the recipe has them
  if [ -f "${recipe_dir}/conf/model/${m}.yaml" ]; then echo -n " --config ${recipe_dir}/conf/model/${m}.yaml"; fi
  if [ -n "${ssl_checkpoint}" ]; then echo -n " --ssl.checkpoint ${ssl_checkpoint}"; fi
  echo -n " --train.seed ${train_seed:-${seed}} ${train_args}"
}
# cfg_get MODEL KEY...: the resolved values, one line per key (one Python start for all)
cfg_get() { local m=$1; shift; python -m spoofcm.bin.cfg_get $(config_args "${m}") ${@/#/--key }; }
# exp/<model>_<train-config>[_<tag-suffix>]_seed<N>: each training seed is its own experiment
exp_tag() { echo "${1}_$(basename "${train_config}" .yaml)${tag_suffix:+_${tag_suffix}}_seed${2}"; }
model_seeds() { for m in ${models}; do for s in ${seeds}; do echo "${m}@${s}"; done; done; }
# experiments scored and evaluated in stages 4-5: the trained ones (every seed), then the
# imported releases of --pretrained
run_tags() {
  for ms in $(model_seeds); do exp_tag "${ms%@*}" "${ms#*@}"; done
  for p in ${pretrained_abs}; do echo "${p%%:*}_pretrained"; done
}

# the SSL cache of a model (dump/ssl/<ssl_tag>, relative to the dump dir): decided here once,
# recorded by training in ssl.cache_dir; empty for models that read no cached SSL features
ssl_cache_of() {
  local m=$1 trust= v out
  out=$(cfg_get "${m}" ssl.cache ssl.trust_checkpoint ssl.checkpoint ssl.layers) || exit 1
  mapfile -t v <<< "${out}"
  [ "${v[0]}" = true ] || return 0
  [ "${v[1]}" = true ] && trust=--trust-checkpoint
  echo "ssl/$(spoofcm-dump-ssl --print-tag --checkpoint "${v[2]}" --layers "${v[3]}" ${trust})"
}

# run a sharded program over a data dir: $1 launcher, $2 output dir, $3 log name, rest: command.
# The command gets --job JOB --nj N and writes its part atomically; finished parts are skipped.
run_sharded() {
  local launcher=$1 out=$2 name=$3; shift 3
  mkdir -p "${out}/log"
  ${launcher} JOB=1:${nj} "${out}/log/${name}.JOB.log" "$@" --job JOB --nj "${nj}"
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
  # the one recipe hook: a recipe that makes or fetches its corpus does it here (egs/mini)
  if [ -x "${recipe_dir}/local/stage0_hook.sh" ]; then "${recipe_dir}/local/stage0_hook.sh"; fi
  . "${db}"
  local/data_prep.sh --track "${track}" --out "${data}" --allow-missing-audio "${allow_missing_audio}"
  for s in ${all_sets}; do utils/validate_data_dir.sh "${data}/${s}"; done
  spoofcm-fingerprint --data-dir "${data}"   # data/corpus_fingerprint.json, read by stage 5
  resume_hint 1
fi

# ------------------------------------------------------------------ stage 1: log-mel dump
if [ ${stage} -le 1 ] && [ ${stop_stage} -ge 1 ]; then
  for s in ${cache_sets}; do
    out=${dump}/logmel/${s}
    if [ -f "${out}/feats.scp" ] && [ -f "${out}/.done" ]; then log "stage 1: ${out} done, skipping"; continue; fi
    log "stage 1: log-mel features of ${s} -> ${out}/feats.scp (${nj} jobs)"
    spoofcm-dump-logmel --data "${data}/${s}" --out "${out}" --check-space
    run_sharded "${train_cmd}" "${out}" dump spoofcm-dump-logmel --data "${data}/${s}" --out "${out}"
    merge_parts "${out}" feats scp feats.scp
    merge_parts "${out}" utt2num_frames txt utt2num_frames
    touch "${out}/.done"
  done
  resume_hint 2
fi

# ------------------------------------------------------------------ stage 2: SSL feature cache
if [ ${stage} -le 2 ] && [ ${stop_stage} -ge 2 ]; then
  for m in ${models}; do
    out=$(cfg_get "${m}" ssl.cache ssl.checkpoint ssl.layers ssl.trust_checkpoint) || exit 1
    mapfile -t v <<< "${out}"
    if [ "${v[0]}" != true ]; then
      log "stage 2: model ${m} needs no SSL cache, skipping"; continue
    fi
    ckpt=${v[1]}; layers=${v[2]}
    trust=; [ "${v[3]}" = true ] && trust=--trust-checkpoint
    ssl_cache=$(ssl_cache_of "${m}") || exit 1
    for s in ${cache_sets}; do
      out=${dump}/${ssl_cache}/${s}
      if [ -f "${out}/feats.scp" ] && [ -f "${out}/.done" ]; then log "stage 2: ${out} done, skipping"; continue; fi
      log "stage 2: SSL layers ${layers} of ${s} -> ${out}/feats.scp (${nj} jobs)"
      spoofcm-dump-ssl --data "${data}/${s}" --out "${out}" --checkpoint "${ckpt}" \
        --layers "${layers}" ${trust} --check-space
      run_sharded "${job_cmd}" "${out}" dump spoofcm-dump-ssl --data "${data}/${s}" --out "${out}" \
        --checkpoint "${ckpt}" --layers "${layers}" ${gpu_opts[@]+"${gpu_opts[@]}"} ${trust}
      merge_parts "${out}" feats scp feats.scp
      merge_parts "${out}" utt2num_frames txt utt2num_frames
      touch "${out}/.done"
    done
  done
  resume_hint 3
fi

# ------------------------------------------------------------------ stage 3: training
if [ ${stage} -le 3 ] && [ ${stop_stage} -ge 3 ]; then
  # ---- pretrained releases (issue 16): imported first (a model may train.init_from one)
  for p in ${pretrained_abs}; do
    tag=${p%%:*}_pretrained
    if [ -f "${expdir}/${tag}/best.pt" ]; then log "stage 3: ${expdir}/${tag} already imported, skipping"; continue; fi
    log "stage 3: importing ${p#*:} as ${expdir}/${tag}"
    spoofcm-import-aasist --weights "${p#*:}" --config "${p%%:*}" --exp "${expdir}/${tag}"
  done
  for ms in $(model_seeds); do m=${ms%@*}; train_seed=${ms#*@}
    tag=$(exp_tag "${m}" "${train_seed}")
    ssl_cache=$(ssl_cache_of "${m}") || exit 1
    train_opts=($(config_args "${m}") ${ssl_cache:+--ssl.cache_dir "${ssl_cache}"} --data-dir "${data}"
                --dump-dir "${dump}" --exp "${expdir}/${tag}")
    # never reuse or continue an experiment made with another configuration ("new", "same", or
    # "extend": only max_epochs/patience changed, so training continues from latest.pt)
    state=$(spoofcm-train "${train_opts[@]}" --check-config) || exit 1
    if [ "${state}" = same ] && [ -f "${expdir}/${tag}/best.pt" ] && [ -f "${expdir}/${tag}/.done" ]; then
      log "stage 3: ${expdir}/${tag} already trained with this configuration, skipping"; continue
    fi
    log "stage 3: training ${m} -> ${expdir}/${tag} (log: ${expdir}/${tag}/train.log)"
    if [ "${state}" = extend ]; then  # the model will change: its old scores and results go
      log "stage 3: continuing ${tag} (max_epochs/patience raised); removing its old scores and results"
      rm -rf "${expdir}/${tag}/scores" "${expdir}/${tag}/results" "${expdir}/${tag}/.done"
    fi
    mkdir -p "${expdir}/${tag}"
    local/launch_train.sh --ngpu "${ngpu}" --num-nodes "${num_nodes}" --log "${expdir}/${tag}/train.log" -- \
      "${train_opts[@]}" --train-set train --dev-set dev $( [ "${resume}" = true ] && echo --resume )
    touch "${expdir}/${tag}/.done"
  done
  resume_hint 4
fi

# ------------------------------------------------------------------ stage 4: scoring
if [ ${stage} -le 4 ] && [ ${stop_stage} -ge 4 ]; then
  for tag in $(run_tags); do
    for s in dev ${eval_sets}; do
      out=${expdir}/${tag}/scores/${s}
      if [ -f "${out}/score.txt" ] && [ -f "${out}/.done" ]; then log "stage 4: ${out} done, skipping"; continue; fi
      log "stage 4: scoring ${s} with ${tag} -> ${out}/score.txt (features: cache if ${dump} holds ${s}, else audio)"
      run_sharded "${job_cmd}" "${out}" infer spoofcm-infer --exp "${expdir}/${tag}" --data "${data}/${s}" \
        --dump-dir "${dump}" --out "${out}" ${gpu_opts[@]+"${gpu_opts[@]}"} \
        ${ssl_checkpoint:+--ssl-checkpoint "${ssl_checkpoint}"}
      merge_parts "${out}" score txt score.txt
      touch "${out}/.done"
    done
  done
  resume_hint 5
fi

# >>> score fusion (issue 15; --fuse "m1 m2"): fit a logistic-regression fusion of the systems'
# dev scores, apply it to dev and every eval set. The result is an experiment like any other,
# exp/${fused_tag}/scores/<set>/score.txt (+ fusion.json), for stage 5 to evaluate.
fused_tags=
if [ -n "${fuse}" ]; then  # one fused experiment per seed, of the members trained with that seed
  for sd in ${seeds}; do
    fused_tags+=" fused_$(echo ${fuse} | tr ' ' '+')_$(basename "${train_config}" .yaml)${tag_suffix:+_${tag_suffix}}_seed${sd}"
  done
fi
if [ -n "${fuse}" ] && [ ${stage} -le 5 ] && [ ${stop_stage} -ge 5 ]; then
  fused_scores() { for m in ${fuse}; do echo "${expdir}/$(exp_tag "${m}" "$2")/scores/$1/score.txt"; done; }
  for ft in ${fused_tags}; do
    sd=${ft##*_seed}; fdir=${expdir}/${ft}
    for f in $(fused_scores dev "${sd}"); do  # a member rescored since the fit: fit and apply again
      if [ "${f}" -nt "${fdir}/fusion.json" ]; then rm -rf "${fdir}/fusion.json" "${fdir}/scores"; fi
    done
    if [ ! -f "${fdir}/fusion.json" ]; then
      log "fusion: fitting ${fuse} (seed ${sd}) on dev -> ${fdir}/fusion.json"
      spoofcm-fuse fit --dev-data "${data}/dev" --scores $(fused_scores dev "${sd}") \
        --names $(for m in ${fuse}; do exp_tag "${m}" "${sd}"; done) --out "${fdir}/fusion.json"
    fi
    for s in dev ${eval_sets}; do
      out=${fdir}/scores/${s}
      if [ -f "${out}/score.txt" ] && [ -f "${out}/.done" ]; then continue; fi
      spoofcm-fuse apply --fusion "${fdir}/fusion.json" --scores $(fused_scores "${s}" "${sd}") \
        --out "${out}/score.txt"
      touch "${out}/.done"
    done
  done
fi
# <<< score fusion

# ------------------------------------------------------------------ stage 5: evaluation
if [ ${stage} -le 5 ] && [ ${stop_stage} -ge 5 ]; then
  . "${db}"
  for tag in $(run_tags) ${fused_tags}; do
    # dev (seen attacks): labels and attacks from the data dir, so RESULTS.md shows them too
    if [ -d "${data}/dev" ]; then
      log "stage 5: evaluating ${tag} on dev -> ${expdir}/${tag}/results/dev"
      spoofcm-eval --scores "${expdir}/${tag}/scores/dev/score.txt" --data "${data}/dev" \
        --out "${expdir}/${tag}/results/dev" 2> >(grep -v "no utt2subset" >&2)
    fi
    for s in ${eval_sets}; do
      t=${track_of[${s}]}
      out=${expdir}/${tag}/results/${s}
      if [ "${t}" != LA ] && [ "${t}" != DF ]; then  # ASVspoof 5 / In-the-Wild: data dir + Track 1 tables
        log "stage 5: evaluating ${tag} on ${s} -> ${out}"
        dev_cal=(--calibration "${expdir}/${tag}/calibration.json")
        if [ -d "${data}/dev" ]; then
          dev_cal+=(--dev-scores "${expdir}/${tag}/scores/dev/score.txt" --dev-data "${data}/dev")
        elif [ ! -f "${expdir}/${tag}/calibration.json" ]; then   # not stored: unusable on dev
          log "stage 5: warning: no ${expdir}/${tag}/calibration.json (the training recipe's dev calibration was unusable): raw scores"
          dev_cal=()
        fi
        spoofcm-eval --scores "${expdir}/${tag}/scores/${s}/score.txt" --data "${data}/${s}" \
          --out "${out}" --track1-tables "${dev_cal[@]}" 2> >(grep -v "no utt2subset" >&2)
        continue
      fi
      log "stage 5: evaluating ${tag} on ${s} (${t}) -> ${out}"
      spoofcm-eval --scores "${expdir}/${tag}/scores/${s}/score.txt" --keys "${ASVSPOOF2021_KEYS}" \
        --track "${t}" --subset eval --out "${out}" \
        --dev-scores "${expdir}/${tag}/scores/dev/score.txt" --dev-data "${data}/dev" \
        --calibration "${expdir}/${tag}/calibration.json" ${asv_scores:+--asv-scores "${asv_scores}"}
    done
  done
  # >>> combined plots (issue 15): per evaluated set, every system's DET curve on one plot and
  # the per-attack EERs of the proposed system against the best baseline, in ${expdir}/plots/
  # (the first seed of each system; spoofcm-report links them, --publish copies them)
  first_seed=${seeds%% *}
  # every recipe reports the sets it has data for (an evaluation-only recipe has no dev, and the
  # experiments it reads may hold other recipes' sets) into its own exp/, plots included
  report_dir=${recipe_dir}/exp
  report_sets=; for s in dev ${eval_sets}; do [ -d "${data}/${s}" ] && report_sets+=" ${s}"; done
  for s in ${report_sets}; do
    res=$(ls -d "${expdir}"/*_seed${first_seed}/results/"${s}" 2>/dev/null || true)
    [ -n "${res}" ] || continue
    case ${track_of[${s}]:-dev} in LA|DF) key=(--keys "${ASVSPOOF2021_KEYS}") ;; *) key=(--data "${data}/${s}") ;; esac
    log "stage 5: combined plots ${report_dir}/plots/det_${s}.png, attacks_${s}.png"
    spoofcm-plot --results ${res} "${key[@]}" --det "${report_dir}/plots/det_${s}.png" \
      --attacks "${report_dir}/plots/attacks_${s}.png"
  done
  # <<< combined plots
  # exp/RESULTS.{md,json}: mean ± sd over seeds, per-seed tables, provenance (git-ignored); the
  # committed RESULTS.md changes only through spoofcm-report --publish. The experiments are
  # read from --expdir (In-the-Wild: the training recipe's exp/).
  spoofcm-report --recipe-dir "${recipe_dir}" --exp-dir "${expdir}" --sets "${report_sets# }"
  log "stage 5: results in ${report_dir}/RESULTS.md; to publish: spoofcm-report --recipe-dir ${recipe_dir} --publish"
fi
