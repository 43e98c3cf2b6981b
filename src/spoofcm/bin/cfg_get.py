"""Print values of a resolved config, for shell recipes (``run.sh`` asks what a model needs):
one line per ``--key``, in order, so that one Python start answers several questions.

Booleans print as ``true``/``false``, lists as comma-separated values, missing keys as empty.
"""
from __future__ import annotations

import argparse
import sys

from spoofcm.config import get_dotted, load_config
from spoofcm.errors import cli_main


def format_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    return str(value)


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cfg_get", description=__doc__)
    parser.add_argument("--config", action="append", default=[], help="YAML file (repeatable)")
    parser.add_argument("--key", required=True, action="append",
                        help="dotted key, e.g. ssl.layers (repeatable: one line each)")
    args, rest = parser.parse_known_args(argv)
    cfg = load_config(args.config, rest)
    for key in args.key:
        print(format_value(get_dotted(cfg, key)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
