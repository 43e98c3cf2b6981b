"""Train a countermeasure (stage 3): ``spoofcm-train --config train.yaml --config model.yaml
[--section.key value ...] --data-dir <recipe>/data --dump-dir <recipe>/dump --exp exp/<tag>``.

Writes ``exp/<tag>/{config.yaml,env.txt,checkpoints/epoch<N>.pt,latest.pt,best.pt,
best_single.pt,threshold.json}``. ``--resume`` continues from ``latest.pt``. One run per
experiment: ``exp/<tag>/.lock`` is held while training, and a second run on the same ``--exp``
stops with the holder's program, pid and host. Several processes
(``torchrun``, see local/launch_train.sh) train data-parallel; the global batch is
``train.batch_size`` × processes.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spoofcm.config import load_config
from spoofcm.errors import SpoofcmError, cli_main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spoofcm-train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Any config key can be overridden: --train.lr 1e-4 "
                                       "--model.name fusion_resnet18 --config-override k=v")
    p.add_argument("--config", action="append", default=[], required=True,
                   help="YAML config (repeatable; later files override earlier ones)")
    p.add_argument("--data-dir", required=True, type=Path, help="<recipe>/data")
    p.add_argument("--dump-dir", type=Path, default=None, help="<recipe>/dump (cached features)")
    p.add_argument("--exp", required=True, type=Path, help="output dir exp/<tag>")
    p.add_argument("--train-set", default="train")
    p.add_argument("--dev-set", default="dev")
    p.add_argument("--resume", action="store_true", help="continue from <exp>/latest.pt if present")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--deterministic", action="store_true",
                   help="deterministic kernels and cuDNN settings (slower)")
    p.add_argument("--print-config", action="store_true",
                   help="print the resolved config (defaults filled in) and exit")
    p.add_argument("--check-config", action="store_true",
                   help="only check that --exp holds no experiment of another config, and exit")
    return p


def check_experiment(exp: Path, cfg: dict) -> str:
    """Never continue or reuse ``exp`` when it was made with another configuration: the error
    names the keys that differ and the two ways out. Returns ``new`` (no experiment yet),
    ``same`` or ``extend`` (only ``max_epochs``/``patience`` changed: training continues)."""
    from spoofcm.config import load_yaml
    from spoofcm.schema import identity_diff, resolve

    old_path = exp / "config.yaml"
    if not old_path.is_file():
        return "new"
    try:
        old = resolve(load_yaml(old_path))
    except SpoofcmError as exc:
        raise SpoofcmError(f"{old_path}: cannot compare with the new config ({exc}); "
                           f"remove {exp} or choose another --tag-suffix") from None
    diffs = identity_diff(old, cfg, extendable=True)
    if diffs:
        shown = "; ".join(diffs[:6]) + (f"; ... ({len(diffs)} keys)" if len(diffs) > 6 else "")
        raise SpoofcmError(f"{exp} was trained with another configuration ({shown}); "
                           f"give the new run its own experiment with --tag-suffix NAME, or "
                           f"remove {exp} to retrain it")
    return "extend" if identity_diff(old, cfg) else "same"


@cli_main
def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--print-config" in argv:  # no other argument is needed to print the config
        parser = build_parser()
        for action in parser._actions:
            action.required = False
        args, rest = parser.parse_known_args(argv)
    else:
        args, rest = build_parser().parse_known_args(argv)
    cfg = load_config(args.config, rest)
    if not cfg["model"].get("name"):
        raise SpoofcmError(f"{args.config}: no model.name in the configs")
    if args.print_config:
        import yaml
        sys.stdout.write(yaml.safe_dump(cfg, sort_keys=False))
        return 0
    state = check_experiment(args.exp, cfg)
    if args.check_config:
        print(state)
        return 0
    import torch
    torch.set_num_threads(int(cfg["train"]["num_threads"] or torch.get_num_threads()))
    from spoofcm.train.trainer import RunArgs, run_training
    run_training(cfg, RunArgs(data_dir=args.data_dir, dump_dir=args.dump_dir, exp=args.exp,
                              train_set=args.train_set, dev_set=args.dev_set,
                              resume=args.resume, device=args.device,
                              deterministic=args.deterministic,
                              argv=tuple(["spoofcm-train", *argv])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
