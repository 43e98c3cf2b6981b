#!/usr/bin/env bash
# Regenerate a recipe's RESULTS.md with the paper's Tables I-III (LA systems, ablations,
# DF systems), our numbers beside the published ones, plus per-attack/per-condition tables.
#   local/make_tables.sh --recipe-dir egs/asvspoof2021_la [--out egs/asvspoof2021_la/RESULTS.md] [--command 'how to regenerate']
set -euo pipefail
recipe_dir=
out=
command=
while [ $# -gt 0 ]; do
  case $1 in
    --recipe-dir) recipe_dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --command) command=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "make_tables.sh: error: unknown option '$1'" >&2; exit 1 ;;
  esac
done
[ -n "${recipe_dir}" ] || { echo "make_tables.sh: error: --recipe-dir is required" >&2; exit 1; }
[ -n "${out}" ] || out=${recipe_dir}/RESULTS.md
exec spoofcm-report --recipe-dir "${recipe_dir}" --out "${out}" --paper-tables ${command:+--command "${command}"}
