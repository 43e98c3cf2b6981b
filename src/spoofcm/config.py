"""YAML configs with command-line overrides (``--train.lr 1e-6`` or ``--config-override k=v``).

Configs are nested dicts. Overrides address a key by its dotted path and are parsed as YAML
scalars, so ``1e-6``, ``true`` and ``[1, 2]`` become a float, a bool and a list.
"""
from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from spoofcm.errors import SpoofcmError

class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads ``1e-6`` as a float (PyYAML's YAML 1.1 rules do not)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$"),
    list("-+0123456789."))


def safe_load(text_or_stream: Any) -> Any:
    """``yaml.safe_load`` semantics (no arbitrary objects) with exponent floats."""
    return yaml.load(text_or_stream, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


def load_yaml(path: str | os.PathLike) -> dict[str, Any]:
    """Read a YAML mapping with ``yaml.safe_load``; fail with the file named."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = safe_load(fh)
    except FileNotFoundError:
        raise SpoofcmError(f"{path}: config file not found") from None
    except yaml.YAMLError as exc:
        raise SpoofcmError(f"{path}: invalid YAML ({str(exc).splitlines()[0]})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SpoofcmError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    return data


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``update`` into a copy of ``base`` (mappings merge, everything else replaces)."""
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def set_dotted(cfg: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``cfg['a']['b'] = value`` for ``dotted == 'a.b'``, creating mappings on the way."""
    keys = dotted.split(".")
    node = cfg
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise SpoofcmError(f"override {dotted}: '{key}' is not a mapping")
        node = child
    node[keys[-1]] = value


def get_dotted(cfg: dict[str, Any], dotted: str, default: Any = None) -> Any:
    """Read a dotted key, returning ``default`` where any part is missing."""
    node: Any = cfg
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def parse_value(text: str) -> Any:
    """Parse an override value as a YAML scalar or flow collection."""
    try:
        return safe_load(text)
    except yaml.YAMLError:
        return text


def apply_overrides(cfg: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``key=value`` and ``--key value`` style overrides, returning a new config.

    ``overrides`` is the list of leftover command-line words, e.g.
    ``["--train.lr", "1e-6", "--config-override", "model.cbam=false"]``.
    """
    out = copy.deepcopy(cfg)
    words = list(overrides)
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--config-override":
            if i + 1 >= len(words) or "=" not in words[i + 1]:
                raise SpoofcmError("--config-override needs key=value")
            key, value = words[i + 1].split("=", 1)
            set_dotted(out, key, parse_value(value))
            i += 2
        elif word.startswith("--") and "." in word:
            key = word[2:]
            if "=" in key:
                key, value = key.split("=", 1)
                i += 1
            else:
                if i + 1 >= len(words):
                    raise SpoofcmError(f"override {word} needs a value")
                value = words[i + 1]
                i += 2
            set_dotted(out, key.replace("-", "_"), parse_value(value))
        else:
            raise SpoofcmError(f"unknown argument '{word}' (overrides look like --section.key value)")
    return out


def load_config(paths: Iterable[str | os.PathLike], overrides: Iterable[str] = ()) -> dict[str, Any]:
    """Merge YAML files left to right, then apply command-line overrides."""
    cfg: dict[str, Any] = {}
    for path in paths:
        cfg = merge(cfg, load_yaml(path))
    return apply_overrides(cfg, overrides)


def dump_yaml(cfg: dict[str, Any], path: str | os.PathLike) -> None:
    """Save a resolved config atomically (so exp/<tag>/config.yaml always parses)."""
    from spoofcm.fsutil import atomic_write_text

    atomic_write_text(Path(path), yaml.safe_dump(cfg, sort_keys=False))
