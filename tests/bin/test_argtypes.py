"""Numeric options are checked while parsing (issue 14, class 1): one argparse line, exit 2."""
from __future__ import annotations

import argparse

import pytest

from spoofcm.bin import dump_logmel, dump_ssl, eval as eval_bin, infer, score
from spoofcm.bin.argtypes import nonneg_int, positive_float, positive_int


@pytest.mark.parametrize("func, text", [
    (positive_float, "nan"), (positive_float, "inf"), (positive_float, "0"),
    (positive_float, "-4"), (positive_float, "x"), (positive_int, "0"), (positive_int, "-1"),
    (positive_int, "1.5"), (nonneg_int, "-1"), (nonneg_int, "nan"),
])
def test_types_reject_values_that_make_no_sense(func, text) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        func(text)


def test_types_accept_good_values() -> None:
    assert positive_float("4") == 4.0 and positive_int("3") == 3 and nonneg_int("0") == 0


@pytest.mark.parametrize("parser, argv, option", [
    (score.build_parser, ["--exp", "e", "--window-seconds", "nan"], "--window-seconds"),
    (infer.build_parser, ["--exp", "e", "--data", "d", "--out", "o", "--nj", "0"], "--nj"),
    (infer.build_parser, ["--exp", "e", "--data", "d", "--out", "o", "--job", "-1"], "--job"),
    (infer.build_parser, ["--exp", "e", "--data", "d", "--out", "o", "--window-seconds", "-4"],
     "--window-seconds"),
    (eval_bin.build_parser, ["--scores", "s", "--data", "d", "--n-boot", "-5"], "--n-boot"),
    (dump_ssl.build_parser, ["--batch-seconds", "0"], "--batch-seconds"),
])
def test_programs_refuse_bad_numbers_in_one_line(parser, argv, option, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"error: argument {option}:" in err


def test_dump_logmel_refuses_zero_threads(capsys) -> None:
    with pytest.raises(SystemExit):
        dump_logmel.main(["--data", "d", "--out", "o", "--num-threads", "0"])
    assert "argument --num-threads: must be at least 1" in capsys.readouterr().err
