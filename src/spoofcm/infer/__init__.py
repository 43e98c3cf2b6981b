"""Stage 4 and scoring: load a trained experiment (:mod:`.load`) and score utterances from the
stage 1–2 cache or from audio (:mod:`.scoring`)."""
