"""Which SSL checkpoint a trained experiment scores with.

``best.pt`` carries the config of its training run, including the SSL checkpoint's path on
the machine that trained it. When that file has moved (another machine, a new mount point),
the user has two documented ways to point the experiment at it:

1. ``--ssl-checkpoint PATH`` on ``spoofcm-score`` / ``spoofcm-infer`` (``run.sh`` passes its
   own ``--ssl-checkpoint`` to stage 4), which wins;
2. ``ssl.checkpoint`` in ``exp/<tag>/config.yaml``, which is read before the copy in best.pt.
"""
from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from spoofcm.errors import SpoofcmError

HINT = ("pass --ssl-checkpoint PATH to spoofcm-score / spoofcm-infer, or edit ssl.checkpoint "
        "in the experiment's config.yaml")


def with_ssl_checkpoint(exp: str | os.PathLike, cfg: dict[str, Any],
                        override: str | os.PathLike | None = None) -> dict[str, Any]:
    """A copy of the checkpoint's ``cfg`` whose ``ssl.checkpoint`` is the override, else the one
    in ``exp/config.yaml``, else the one recorded in the checkpoint."""
    from spoofcm.config import load_yaml

    value: Any = override
    path = Path(exp) / "config.yaml"
    if not value and path.is_file():
        value = ((load_yaml(path) or {}).get("ssl") or {}).get("checkpoint")
    out = copy.deepcopy(cfg)
    if value:
        if not isinstance(out.get("ssl"), dict):
            out["ssl"] = {}
        out["ssl"]["checkpoint"] = str(value)
    return out


def missing_ssl_error(exc: SpoofcmError) -> SpoofcmError:
    """Add :data:`HINT` to ``spoofcm.ssl.load``'s 'not found' error."""
    msg = str(exc)
    if "SSL checkpoint not found" in msg and "--ssl-checkpoint" not in msg:
        return SpoofcmError(msg.split(" (set ssl.checkpoint")[0] + f"; {HINT}")
    return exc
