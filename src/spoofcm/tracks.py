"""Tracks and their evaluation sets: the one map the recipes, data prep and reports share.

A recipe's ``--track`` names which eval sets stage 0 prepares and stages 4–5 score and
evaluate; each eval set belongs to one track, whose keys and metrics stage 5 uses.
``python -m spoofcm.tracks TRACK`` prints the eval sets of TRACK, ``--sets TRACK`` every set
its recipe prepares, ``--track-of SET...`` the track of each eval set (for shell recipes).
"""
from __future__ import annotations

import sys

from spoofcm.errors import SpoofcmError, cli_main

#: eval set -> the track whose keys and metrics evaluate it
EVAL_SET_TRACK: dict[str, str] = {"eval_la21": "LA", "eval_df21": "DF", "eval_asv5": "ASV5",
                                  "eval_itw": "ITW"}
#: --track value -> eval sets, in order
TRACK_EVAL_SETS: dict[str, tuple[str, ...]] = {"LA": ("eval_la21",), "DF": ("eval_df21",),
                                               "both": ("eval_la21", "eval_df21"),
                                               "ASV5": ("eval_asv5",), "ITW": ("eval_itw",)}
#: the sets every training recipe trains and selects on
TRAIN_SETS: tuple[str, ...] = ("train", "dev")
#: evaluation-only tracks: their recipe scores models trained elsewhere (--expdir)
EVAL_ONLY: tuple[str, ...] = ("ITW",)


def eval_sets(track: str) -> tuple[str, ...]:
    """The eval sets of ``--track``; an unknown track is a one-line error listing the valid."""
    if track not in TRACK_EVAL_SETS:
        raise SpoofcmError(f"--track must be one of {', '.join(TRACK_EVAL_SETS)}, got '{track}'")
    return TRACK_EVAL_SETS[track]


def recipe_sets(track: str) -> tuple[str, ...]:
    """Every set a recipe of ``track`` prepares: train and dev, then the eval sets (eval sets
    only for an evaluation-only track)."""
    return eval_sets(track) if track in EVAL_ONLY else TRAIN_SETS + eval_sets(track)


def track_of(eval_set: str) -> str:
    if eval_set not in EVAL_SET_TRACK:
        raise SpoofcmError(f"'{eval_set}' is not an eval set ({', '.join(EVAL_SET_TRACK)})")
    return EVAL_SET_TRACK[eval_set]


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "--sets":
        print(" ".join(recipe_sets(args[1])))
        return 0
    if len(args) == 2 and args[0] == "--shell":  # run.sh: all three answers, one Python start
        sets = eval_sets(args[1])
        print(" ".join(sets))
        print(" ".join(recipe_sets(args[1])))
        print(" ".join(track_of(s) for s in sets))
        return 0
    if len(args) >= 1 and args[0] == "--track-of":
        print(" ".join(track_of(s) for s in args[1:]))
        return 0
    if len(args) != 1:
        raise SpoofcmError("usage: python -m spoofcm.tracks [--sets] TRACK  (prints its eval "
                           "sets, or with --sets every set its recipe prepares); "
                           "python -m spoofcm.tracks --track-of SET...  (the track of each set)")
    print(" ".join(eval_sets(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
