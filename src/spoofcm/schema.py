"""The declared config: every key of every section, with its type and default, in one place.

Sections ``train``, ``ssl``, ``augment`` and ``infer`` are typed dataclasses below (their
defaults are the defaults; ``conf/train/default.yaml`` repeats the ``train`` ones for readers,
and a test keeps the two equal). The ``model`` section of a model NAME is declared by the
shipped ``conf/model/NAME.yaml``: its keys are the valid keys, its values the defaults, and a
value's type is the key's type (``null`` = any type; an int is accepted where a float is
declared; nested mappings are declared key by key, an empty mapping accepts any keys).

:func:`resolve` turns a merged YAML + overrides dict into the complete config the code reads
with plain ``cfg[section][key]``: an unknown key is an error that names the nearest valid one,
a value of the wrong type an error that names the key, both before anything is written.
"""
from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from spoofcm.errors import SpoofcmError

#: conf/ of the checkout (recipes and the model declarations live there)
CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


@dataclass
class TrainSection:
    """Stage 3 (see conf/train/default.yaml for what each key means)."""
    seed: int = 0
    lr: float = 1.0e-6
    weight_decay: float = 1.0e-4
    betas: list = field(default_factory=lambda: [0.9, 0.999])
    lr_groups: dict = field(default_factory=dict)
    scheduler: str = "none"
    warmup_steps: int = 0
    step_epochs: int = 10
    gamma: float = 0.5
    batch_size: int = 14
    max_epochs: int = 100
    patience: Optional[int] = 10
    select: str = "eer"
    average_best: int = 1
    keep_checkpoints: int = 0
    crop_seconds: float = 4.0
    dev_window_seconds: Optional[float] = None
    class_weights: Optional[list] = None
    grad_clip: Optional[float] = None
    num_workers: int = 4
    num_threads: int = 0
    drop_last: bool = True
    amp: str = "none"
    compile: bool = False
    init_from: Optional[str] = None


@dataclass
class SSLSection:
    """The SSL front end. ``dim``, ``cache_dir`` and ``encoder_config`` are recorded by the
    stages (not set by users): the per-layer width, the stage-2 cache a model was trained on,
    and the encoder's architecture, so that a trained experiment loads without the original
    checkpoint file."""
    checkpoint: str = ""
    layers: Union[list, int, str] = field(default_factory=lambda: [-1])
    freeze: bool = True
    cache: bool = False
    trust_checkpoint: bool = False
    dim: Optional[int] = None
    cache_dir: Optional[str] = None
    encoder_config: Optional[dict] = None


@dataclass
class AugmentSection:
    """Waveform augmentation (spoofcm.data.augment): RawBoost 0-8 or a mapping, codecs."""
    rawboost: Union[int, dict, None] = None
    codec: Optional[dict] = None


@dataclass
class InferSection:
    """How stage 4 and spoofcm-score feed a file to the model (spoofcm.infer.modes). ``full``:
    the whole utterance (in overlapping crops above ``max_seconds``); ``windowed``: the mean of
    the logits of fixed ``window_seconds`` windows; ``official_crop``: the AASIST authors' rule
    (the first ``crop_samples`` samples, tiled when shorter). ``score``: ``log_odds``
    (logit[1] − logit[0]) or ``bonafide_logit`` (logit[1], what the AASIST authors write).
    ``batch_seconds``: padded audio per SSL batch when features are computed from audio."""
    mode: str = "full"
    window_seconds: Optional[float] = None
    max_seconds: float = 60.0
    batch_seconds: float = 60.0
    crop_samples: int = 64600
    score: str = "log_odds"


SECTIONS: dict[str, type] = {"train": TrainSection, "ssl": SSLSection,
                             "augment": AugmentSection, "infer": InferSection}
#: sections recorded by tools, free-form and never defaulted (provenance of imported weights)
FREE_SECTIONS = ("pretrained",)
#: keys the stages record into a config; an experiment's identity ignores them
DERIVED_KEYS = ("ssl.dim", "ssl.cache_dir", "ssl.encoder_config")
#: keys that change how a run is executed, not what it computes
OPERATIONAL_KEYS = ("train.num_workers", "train.keep_checkpoints")
#: keys that may be raised to continue a finished experiment (``--resume`` goes on from its
#: last epoch); with a cosine or step schedule the schedule's length changes too
EXTENDABLE_KEYS = ("train.max_epochs", "train.patience")


def _nearest(key: str, valid: list[str], prefix: str = "") -> str:
    near = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    return f"did you mean '{prefix}{near[0]}'?" if near else f"valid: {', '.join(sorted(valid))}"


def _type_ok(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is Union:
        return any(_type_ok(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is Any:
        return True
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, hint)


def _hint_name(hint: Any) -> str:
    if typing.get_origin(hint) is Union:
        return " or ".join(_hint_name(h) for h in typing.get_args(hint))
    return "null" if hint is type(None) else getattr(hint, "__name__", str(hint))


def _check(value: Any, hint: Any, key: str) -> None:
    if not _type_ok(value, hint):
        raise SpoofcmError(f"config key '{key}': expected {_hint_name(hint)}, "
                           f"got {type(value).__name__} {value!r}")


def _resolve_section(name: str, given: Any) -> dict[str, Any]:
    cls = SECTIONS[name]
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise SpoofcmError(f"config section '{name}' must be a mapping, got {type(given).__name__}")
    hints = typing.get_type_hints(cls)
    out = dataclasses.asdict(cls())
    for key, value in given.items():
        if key not in hints:
            raise SpoofcmError(f"unknown config key '{name}.{key}'; {_nearest(key, list(hints), name + '.')}")
        _check(value, hints[key], f"{name}.{key}")
        out[key] = copy.deepcopy(value)
    return out


@functools.lru_cache(maxsize=64)
def model_declaration(name: str) -> dict[str, Any] | None:
    """The ``model`` section of conf/model/NAME.yaml (None for a model outside spoofcm)."""
    if ":" in name:
        return None
    path = CONF_DIR / "model" / f"{name}.yaml"
    if not path.is_file():
        if not CONF_DIR.is_dir():
            return None  # an installed package without the checkout's conf/: nothing to check
        names = sorted(p.stem for p in (CONF_DIR / "model").glob("*.yaml"))
        raise SpoofcmError(f"unknown model '{name}'; choose one of: {', '.join(names)}")
    from spoofcm.config import load_yaml
    decl = load_yaml(path).get("model") or {}
    return decl


def _check_declared(given: dict[str, Any], decl: dict[str, Any], prefix: str) -> None:
    for key, value in given.items():
        dotted = f"{prefix}.{key}"
        if key not in decl:
            raise SpoofcmError(f"unknown config key '{dotted}'; {_nearest(key, list(decl), prefix + '.')}")
        default = decl[key]
        if default is None:
            continue
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise SpoofcmError(f"config key '{dotted}': expected a mapping, got {value!r}")
            if default:
                _check_declared(value, default, dotted)
            continue
        if isinstance(default, str) and key not in ("name",) and isinstance(value, (int, float)) \
                and not isinstance(value, bool):
            continue  # e.g. ssl_dim: auto | 1024
        _check(value, type(default), dotted)


def _merge_declared(decl: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(decl)
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and out[key]:
            out[key] = _merge_declared(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def resolve(cfg: dict[str, Any]) -> dict[str, Any]:
    """The complete, validated config (defaults filled in); raises SpoofcmError on an unknown
    section or key or a value of the wrong type. Idempotent."""
    if not isinstance(cfg, dict):
        raise SpoofcmError(f"config must be a mapping, got {type(cfg).__name__}")
    valid = [*SECTIONS, "model", *FREE_SECTIONS]
    for key in cfg:
        if key not in valid:
            raise SpoofcmError(f"unknown config section '{key}'; {_nearest(key, valid)}")
    out: dict[str, Any] = {}
    model = cfg.get("model") or {}
    if not isinstance(model, dict):
        raise SpoofcmError(f"config section 'model' must be a mapping, got {type(model).__name__}")
    name = model.get("name")
    if name is not None and not isinstance(name, str):
        raise SpoofcmError(f"config key 'model.name': expected str, got {name!r}")
    decl = model_declaration(name) if name else None
    if decl is not None:
        _check_declared(model, decl, "model")
        model = _merge_declared(decl, model)
    out["model"] = copy.deepcopy(model)
    for section in SECTIONS:
        out[section] = _resolve_section(section, cfg.get(section))
    for section in FREE_SECTIONS:
        if section in cfg:
            if not isinstance(cfg[section], dict):
                raise SpoofcmError(f"config section '{section}' must be a mapping")
            out[section] = copy.deepcopy(cfg[section])
    return out


def flatten(cfg: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{'a': {'b': 1}}`` -> ``{'a.b': 1}`` (empty mappings kept as values)."""
    out: dict[str, Any] = {}
    for key, value in cfg.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def identity_diff(old: dict[str, Any], new: dict[str, Any], extendable: bool = False
                  ) -> list[str]:
    """The keys whose values make two configs different experiments, as ``key: old -> new``
    (recorded and operational keys ignored; with ``extendable`` also the keys a continued
    run may change)."""
    skip = DERIVED_KEYS + OPERATIONAL_KEYS + (EXTENDABLE_KEYS if extendable else ())
    a = {k: v for k, v in flatten(old).items() if not k.startswith(skip)}
    b = {k: v for k, v in flatten(new).items() if not k.startswith(skip)}
    missing = object()
    diffs = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key, missing), b.get(key, missing)
        if va != vb:
            fmt = lambda v: "(unset)" if v is missing else repr(v)  # noqa: E731
            diffs.append(f"{key}: {fmt(va)} -> {fmt(vb)}")
    return diffs
