# Corpus roots of the mini recipe: the generated corpus, in the official layouts.
mini_root=${MINI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/db/${MINI_SIZE:-default}}
export ASVSPOOF2019_LA=${mini_root}/LA
export ASVSPOOF2021_LA_EVAL=${mini_root}/ASVspoof2021_LA_eval
export ASVSPOOF2021_DF_EVAL=${mini_root}/ASVspoof2021_DF_eval
export ASVSPOOF2021_KEYS=${mini_root}/keys
