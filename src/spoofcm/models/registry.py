"""Model names (``--model NAME``) mapped to their builders, imported lazily.

Each builder takes the ``model`` section of the resolved config (a dict) plus the whole
config, and returns an ``nn.Module`` (or, for GMM systems, an object with the same scoring
interface). Lazy import keeps ``spoofcm-eval`` and data prep free of model dependencies.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

from spoofcm.errors import SpoofcmError

#: every --model, in the order of the paper's tables (baselines, then the ablations, then
#: the proposed system); the README, the recipes and the reports take the names from here
BUILDERS: dict[str, str] = {
    "lfcc_gmm": "spoofcm.models.gmm:build_lfcc_gmm",
    "cqcc_gmm": "spoofcm.models.gmm:build_cqcc_gmm",
    "lfcc_lcnn": "spoofcm.models.lcnn:build_lfcc_lcnn",
    "rawnet2": "spoofcm.models.rawnet2:build_rawnet2",
    "lfcc_ecapa_tdnn": "spoofcm.models.ecapa:build_lfcc_ecapa_tdnn",
    "ssl_aasist": "spoofcm.models.aasist:build_ssl_aasist",
    "aasist": "spoofcm.models.raw_aasist:build_aasist",
    "ssl_cbam_resnet18": "spoofcm.models.fusion:build_ssl_cbam_resnet18",
    "fusion_resnet18": "spoofcm.models.fusion:build_fusion_resnet18",
    "fusion_cbam_resnet18": "spoofcm.models.fusion:build_fusion_cbam_resnet18",
}


def model_names() -> list[str]:
    """The ``--model`` choices, in the order of the README's system table."""
    return list(BUILDERS)


def get_builder(name: str) -> Callable[..., Any]:
    """Resolve a model name to its builder function, with a clear error for unknown names.
    A ``package.module:function`` name builds a model defined outside spoofcm (same builder
    signature ``(model_cfg, cfg)``)."""
    if ":" in name and name not in BUILDERS:
        module, func = name.split(":", 1)
        try:
            return getattr(importlib.import_module(module), func)
        except (ImportError, AttributeError) as exc:
            raise SpoofcmError(f"model.name '{name}': cannot import ({exc})") from None
    if name not in BUILDERS:
        raise SpoofcmError(f"unknown model '{name}'; choose one of: {', '.join(BUILDERS)}")
    module, func = BUILDERS[name].split(":")
    return getattr(importlib.import_module(module), func)


def build_model(cfg: dict[str, Any]) -> Any:
    """Build the model named by ``cfg['model']['name']``."""
    model_cfg = cfg.get("model") or {}
    return get_builder(str(model_cfg.get("name", "")))(model_cfg, cfg)
