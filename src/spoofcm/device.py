"""Where a program runs: one rule for every stage program (``--device auto|cpu|cuda`` and
``--ngpu N``), so that a sharded job J of a multi-GPU stage lands on GPU (J-1) mod N."""
from __future__ import annotations

from spoofcm.errors import SpoofcmError


def check_gpus(ngpu: int) -> None:
    """Fail in one line, before any work, when fewer GPUs are visible than asked for."""
    if ngpu <= 0:
        return
    import torch
    found = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if found < ngpu:
        raise SpoofcmError(f"--ngpu {ngpu} but {found} CUDA device(s) are visible on this machine")


def choose_device(device: str = "auto", ngpu: int | None = None, job: int = 1):
    """The torch device of one job. ``ngpu`` > 0 asks for CUDA explicitly: job J uses GPU
    (J-1) mod ngpu, or (J-1) mod the visible count where a scheduler gave the job fewer GPUs
    (Slurm's ``--gres=gpu:1`` shows each job only its own); ``ngpu`` 0 means CPU; None
    follows ``device``."""
    import torch
    if ngpu is not None:
        if ngpu < 0:
            raise SpoofcmError(f"--ngpu must be 0 or more, got {ngpu}")
        if ngpu == 0:
            return torch.device("cpu")
        visible = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if visible == 0:
            raise SpoofcmError(f"--ngpu {ngpu} but no CUDA device is visible to this job")
        return torch.device(f"cuda:{(job - 1) % min(ngpu, visible)}")
    if device not in ("auto", "cpu", "cuda"):
        raise SpoofcmError(f"--device must be auto, cpu or cuda, got '{device}'")
    if device == "cuda" and not torch.cuda.is_available():
        raise SpoofcmError("--device cuda but no CUDA device is visible")
    use_cuda = device == "cuda" or (device == "auto" and torch.cuda.is_available())
    return torch.device("cuda" if use_cuda else "cpu")


if __name__ == "__main__":  # run.sh: ``python -m spoofcm.device NGPU`` before GPU jobs start
    import sys

    from spoofcm.errors import cli_main

    @cli_main
    def _main() -> int:
        try:
            n = int(sys.argv[1])
        except (IndexError, ValueError):
            raise SpoofcmError("usage: python -m spoofcm.device NGPU") from None
        check_gpus(n)
        return 0

    sys.exit(_main())
