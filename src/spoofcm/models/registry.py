"""Model names (``--model NAME``) mapped to their builders, imported lazily.

Each builder takes the ``model`` section of the resolved config (a dict) plus the whole
config, and returns an ``nn.Module`` (or, for GMM systems, an object with the same scoring
interface). Lazy import keeps ``spoofcm-eval`` and data prep free of model dependencies.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

from spoofcm.errors import SpoofcmError

BUILDERS: dict[str, str] = {
    "fusion_cbam_resnet18": "spoofcm.models.fusion:build_fusion_cbam_resnet18",
    "fusion_resnet18": "spoofcm.models.fusion:build_fusion_resnet18",
    "ssl_cbam_resnet18": "spoofcm.models.fusion:build_ssl_cbam_resnet18",
    "ssl_aasist": "spoofcm.models.aasist:build_ssl_aasist",
    "aasist": "spoofcm.models.raw_aasist:build_aasist",
    "lfcc_lcnn": "spoofcm.models.lcnn:build_lfcc_lcnn",
    "rawnet2": "spoofcm.models.rawnet2:build_rawnet2",
    "lfcc_ecapa_tdnn": "spoofcm.models.ecapa:build_lfcc_ecapa_tdnn",
    "lfcc_gmm": "spoofcm.models.gmm:build_lfcc_gmm",
    "cqcc_gmm": "spoofcm.models.gmm:build_cqcc_gmm",
}


def model_names() -> list[str]:
    return list(BUILDERS)


def get_builder(name: str) -> Callable[..., Any]:
    """Resolve a model name to its builder function, with a clear error for unknown names."""
    if name not in BUILDERS:
        raise SpoofcmError(f"unknown model '{name}'; choose one of: {', '.join(BUILDERS)}")
    module, func = BUILDERS[name].split(":")
    return getattr(importlib.import_module(module), func)


def build_model(cfg: dict[str, Any]) -> Any:
    """Build the model named by ``cfg['model']['name']``."""
    model_cfg = cfg.get("model", {})
    return get_builder(model_cfg.get("name", ""))(model_cfg, cfg)
