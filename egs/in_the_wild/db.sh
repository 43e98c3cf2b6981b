# Corpus root of egs/in_the_wild: the unpacked release folder (meta.csv and 0.wav ... 31778.wav).
export IN_THE_WILD=${IN_THE_WILD:-/data/release_in_the_wild}
