# Corpus roots (docs/formats.md). Point these at your copies of the official releases.
export ASVSPOOF2019_LA=${ASVSPOOF2019_LA:-/data/ASVspoof2019/LA}
export ASVSPOOF2021_LA_EVAL=${ASVSPOOF2021_LA_EVAL:-/data/ASVspoof2021/ASVspoof2021_LA_eval}
export ASVSPOOF2021_DF_EVAL=${ASVSPOOF2021_DF_EVAL:-/data/ASVspoof2021/ASVspoof2021_DF_eval}
export ASVSPOOF2021_KEYS=${ASVSPOOF2021_KEYS:-/data/ASVspoof2021/keys}
