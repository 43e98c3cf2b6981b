"""YAML configs with command-line overrides (``--train.lr 1e-6`` or ``--config-override k=v``).

Configs are nested dicts. Overrides address a key by its dotted path and are parsed as YAML
scalars, so ``1e-6``, ``true`` and ``[1, 2]`` become a float, a bool and a list. A file may
start with ``include: [other.yaml, ...]`` (paths relative to it), merged before its own keys,
so that settings shared by several configs live in one file. The merged result is checked and
completed against the declared keys of :mod:`spoofcm.schema` (see docs/config.md).
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


def load_yaml(path: str | os.PathLike, _seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """Read a YAML mapping with ``yaml.safe_load`` (its ``include:`` files merged first);
    fail with the file named."""
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
    includes = data.pop("include", None)
    if includes is None:
        return data
    if isinstance(includes, str):
        includes = [includes]
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise SpoofcmError(f"{path}: include must be a file name or a list of file names")
    key = str(Path(path).resolve())
    if key in _seen:
        raise SpoofcmError(f"{path}: include cycle ({' -> '.join(_seen + (key,))})")
    base: dict[str, Any] = {}
    for inc in includes:
        base = merge(base, load_yaml(Path(path).parent / inc, _seen + (key,)))
    return merge(base, data)


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


def load_config(paths: Iterable[str | os.PathLike], overrides: Iterable[str] = (),
                resolve: bool = True) -> dict[str, Any]:
    """Merge YAML files left to right, apply command-line overrides, then (``resolve``) check
    every key and type against :mod:`spoofcm.schema` and fill in the declared defaults."""
    cfg: dict[str, Any] = {}
    for path in paths:
        cfg = merge(cfg, load_yaml(path))
    cfg = apply_overrides(cfg, overrides)
    if resolve:
        from spoofcm.schema import resolve as resolve_cfg
        cfg = resolve_cfg(cfg)
    return cfg


def dump_yaml(cfg: dict[str, Any], path: str | os.PathLike) -> None:
    """Save a resolved config atomically (so exp/<tag>/config.yaml always parses)."""
    from spoofcm.fsutil import atomic_write_text

    atomic_write_text(Path(path), yaml.safe_dump(cfg, sort_keys=False))
