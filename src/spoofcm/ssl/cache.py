"""The name of a stage-2 SSL cache: ``dump/ssl/<ssl_tag>`` with ``ssl_tag`` =
``<sha256(checkpoint)[:10]>_L<layers>``, so a new checkpoint or layer choice never reads an old
cache. Stage 2 decides it once (``spoofcm-dump-ssl --print-tag``) and training records the
folder in ``ssl.cache_dir`` of the experiment's config (docs/formats.md); nothing re-derives it.
The dump itself is :func:`spoofcm.data.dump.dump_ssl_job`.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Sequence

from spoofcm.errors import SpoofcmError

TAG_HASH_CHARS = 10


def checkpoint_digest(path: str | os.PathLike) -> str:
    """sha256 of a checkpoint's content (a file, or an HF folder's config and weight files)."""
    path = Path(path)
    if not path.exists():
        raise SpoofcmError(f"{path}: SSL checkpoint not found")
    files = [path] if path.is_file() else sorted(
        p for p in path.iterdir() if p.is_file() and (p.suffix in (".json", ".bin", ".safetensors")))
    if not files:
        raise SpoofcmError(f"{path}: folder holds no model files")
    digest = hashlib.sha256()
    for f in files:
        if len(files) > 1:
            digest.update(f.name.encode() + b"\0")
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                digest.update(block)
    return digest.hexdigest()


def ssl_tag(checkpoint: str | os.PathLike, layers: Sequence[int]) -> str:
    """``<sha256[:10]>_L<layers>``: a new checkpoint or layer choice gets a new cache folder."""
    return f"{checkpoint_digest(checkpoint)[:TAG_HASH_CHARS]}_L{'_'.join(str(i) for i in layers)}"
