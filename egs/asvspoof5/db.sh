# Corpus root of egs/asvspoof5: the unpacked ASVspoof 5 release (Zenodo record 14498691), i.e.
# the folder holding ASVspoof5_protocols/, flac_T/, flac_D/ and flac_E_eval/.
export ASVSPOOF5=${ASVSPOOF5:-/data/ASVspoof5}
