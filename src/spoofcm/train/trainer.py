"""The training loop of stage 3: epochs of random aligned crops, dev scoring, model selection,
checkpoints, early stopping, n-best averaging and ``--resume``.

Determinism: crops come from ``(seed, epoch, index)``, the shuffle from ``(seed, epoch)`` and
the global RNGs are re-seeded from ``(seed, epoch, rank)`` at each epoch start, so a run
resumed from the checkpoint of epoch k draws exactly what the uninterrupted run drew.
"""
from __future__ import annotations

import sys
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from spoofcm.config import dump_yaml
from spoofcm.data.dataset import StreamDataset, collate, crop_units
from spoofcm.errors import SpoofcmError
from spoofcm.explock import exp_lock
from spoofcm.train import checkpoint as ckpt
from spoofcm.train import distributed as D
from spoofcm.infer.scoring import autocast, eer_of, score_indices, write_threshold
from spoofcm.train.optim import build_optimizer, build_scheduler
from spoofcm.models.registry import build_model
from spoofcm.train.setup import (build_augment, epoch_seed, model_inputs, record_encoder,
                                 resolve_ssl_dim, seed_everything, set_deterministic, write_env)


@dataclass
class RunArgs:
    """Where a run reads and writes (the CLI's paths and switches)."""
    data_dir: Path
    dump_dir: Path | None
    exp: Path
    train_set: str = "train"
    dev_set: str = "dev"
    resume: bool = False
    device: str = "auto"
    deterministic: bool = False
    argv: tuple[str, ...] = ()


def select_key(entry: dict[str, Any], select: str) -> tuple[float, float]:
    """Smaller is better: dev EER (ties broken by dev loss) or dev loss."""
    if select == "eer":
        return (entry["dev_eer"], entry["dev_loss"])
    return (entry["dev_loss"], entry["dev_eer"])


def ranked_epochs(history: list[dict[str, Any]], select: str) -> list[int]:
    return [h["epoch"] for h in sorted(history, key=lambda h: (*select_key(h, select), h["epoch"]))]


def stop_early(history: list[dict[str, Any]], select: str, patience: int | None) -> bool:
    """True once the best epoch is ``patience`` epochs old."""
    if not patience or not history:
        return False
    best = ranked_epochs(history, select)[0]
    return history[-1]["epoch"] - best >= int(patience)


class Trainer:
    def __init__(self, cfg: dict[str, Any], args: RunArgs):
        from spoofcm.schema import resolve
        cfg = resolve(cfg)
        self.cfg, self.args = cfg, args
        self.tcfg = cfg["train"]
        self.select = str(self.tcfg["select"])
        if self.select not in ("eer", "loss"):
            raise SpoofcmError(f"train.select must be eer or loss, got '{self.select}'")
        self.info, self.device = D.init(args.device)
        self.seed = int(self.tcfg["seed"])
        set_deterministic(args.deterministic)
        seed_everything(self.seed)
        resolve_ssl_dim(cfg, args.dump_dir)
        self.model = build_model(cfg)
        record_encoder(cfg, self.model)
        self.is_neural = getattr(self.model, "is_neural", True)
        self.inputs = model_inputs(self.model) if self.is_neural else ("wav",)
        amp = str(self.tcfg["amp"]).lower()
        self.amp = amp == "bf16"
        if amp not in ("none", "bf16", "false"):
            raise SpoofcmError(f"train.amp must be none or bf16, got '{amp}'")
        self.history: list[dict[str, Any]] = []

    def log(self, msg: str) -> None:
        if self.info.is_main:
            print(msg, flush=True)

    # ------------------------------------------------------------------ setup
    def prepare(self) -> None:
        a = self.args
        augment = build_augment(self.cfg, self.inputs)
        self.train_ds = StreamDataset(a.data_dir / a.train_set, a.dump_dir, a.train_set,
                                      self.inputs, self.cfg, mode="train", augment=augment)
        self.dev_ds = StreamDataset(a.data_dir / a.dev_set, a.dump_dir, a.dev_set,
                                    self.inputs, self.cfg, mode="eval")
        if self.info.is_main:
            a.exp.mkdir(parents=True, exist_ok=True)
            dump_yaml(self.cfg, a.exp / "config.yaml")
            write_env(a.exp / "env.txt", list(a.argv), {
                "device": str(self.device), "world_size": self.info.world_size,
                "deterministic": a.deterministic, "model_inputs": ",".join(self.inputs)})
        if self.tcfg.get("init_from"):   # fine-tuning: weights of another experiment
            from spoofcm.train.init_from import load_init_weights
            self.log(load_init_weights(self.model, self.tcfg["init_from"]))
        self.raw = self.model.to(self.device)
        n_params = sum(p.numel() for p in self.raw.parameters())
        self.log(f"model {self.cfg['model'].get('name')}: {n_params} parameters, inputs "
                 f"{self.inputs}; train {len(self.train_ds)} utts, dev {len(self.dev_ds)} utts; "
                 f"world size {self.info.world_size}, device {self.device}")
        self.net: torch.nn.Module = D.wrap(self.raw, self.info, self.device)
        if self.tcfg["compile"]:
            if self.device.type == "cuda":
                self.net = torch.compile(self.net)  # type: ignore[assignment]
            else:
                warnings.warn("train.compile is used on CUDA only; ignored on CPU")
        bs = int(self.tcfg["batch_size"])
        self.sampler = torch.utils.data.DistributedSampler(
            self.train_ds, num_replicas=self.info.world_size, rank=self.info.rank,
            shuffle=True, seed=self.seed, drop_last=False)
        per_rank = len(self.sampler)
        drop_last = bool(self.tcfg["drop_last"]) and per_rank >= bs
        self.loader = torch.utils.data.DataLoader(
            self.train_ds, batch_size=bs, sampler=self.sampler, collate_fn=collate,
            num_workers=int(self.tcfg["num_workers"]), drop_last=drop_last,
            pin_memory=self.device.type == "cuda")
        self.optimizer = build_optimizer(self.raw, self.tcfg)
        self.scheduler = build_scheduler(self.optimizer, self.tcfg, len(self.loader))
        weights = self.tcfg["class_weights"]
        self.class_weights = (torch.tensor([float(w) for w in weights], device=self.device)
                              if weights else None)
        if self.class_weights is not None and len(self.class_weights) != 2:
            raise SpoofcmError("train.class_weights must be [w_spoof, w_bonafide]")
        win = self.tcfg["dev_window_seconds"]
        self.dev_units = crop_units(float(win)) if win else None

    def full_state(self, epoch: int, finished: bool) -> dict[str, Any]:
        return {"model": self.raw.state_dict(), "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler else None,
                "rng": D.gather_objects(ckpt.rng_state()), "epoch": epoch,
                "history": self.history, "finished": finished, "config": self.cfg,
                "world_size": self.info.world_size}

    def restore(self) -> int:
        """Load ``latest.pt`` when resuming; returns the next epoch to run."""
        path = self.args.exp / "latest.pt"
        if not (self.args.resume and path.is_file()):
            return 1
        state = ckpt.load(path)
        self.raw.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state.get("scheduler"):
            self.scheduler.load_state_dict(state["scheduler"])
        rngs = state.get("rng") or []
        if rngs:
            ckpt.set_rng_state(rngs[self.info.rank] if len(rngs) == self.info.world_size
                               else rngs[0])
        self.history = list(state.get("history", []))
        self.log(f"resumed from {path} (epoch {state['epoch']})")
        return int(state["epoch"]) + 1  # a raised max_epochs continues a finished run

    # ------------------------------------------------------------------ loop
    def train_epoch(self, epoch: int) -> float:
        self.net.train()
        total, count = 0.0, 0
        bar = tqdm(self.loader, desc=f"epoch {epoch}", disable=not self.info.is_main,
                   mininterval=10, file=sys.stderr)
        for streams, labels, _ in bar:
            batch = {k: v.to(self.device, non_blocking=True) for k, v in streams.items()}
            labels = labels.to(self.device)
            with autocast(self.device, self.amp):
                logits = self.net(batch)
            loss = F.cross_entropy(logits.float(), labels, weight=self.class_weights)
            if not torch.isfinite(loss):
                raise SpoofcmError(f"epoch {epoch}: loss is {loss.item()} (lower train.lr?)")
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            clip = self.tcfg["grad_clip"]
            if clip:
                torch.nn.utils.clip_grad_norm_(self.raw.parameters(), float(clip))
            self.optimizer.step()
            if self.scheduler is not None:
                self.scheduler.step()
            total += float(loss.detach()) * len(labels)
            count += len(labels)
            bar.set_postfix(loss=f"{float(loss.detach()):.4f}", refresh=False)
        total, count = D.all_sum([total, float(count)], self.device)
        return total / max(count, 1.0)

    def evaluate_dev(self) -> tuple[float, float, float]:
        """Dev loss, EER and EER threshold; each rank scores a shard, results gathered."""
        idx = list(range(self.info.rank, len(self.dev_ds), self.info.world_size))
        part = score_indices(self.raw, self.dev_ds, idx, self.device, self.amp, self.dev_units,
                             progress=self.info.is_main, desc="dev")
        parts = D.gather_objects(part)
        scores = [s for p in parts for s in p[1]]
        labels = [y for p in parts for y in p[2]]
        losses = [x for p in parts for x in p[3]]
        eer, thr = eer_of(scores, labels)
        return float(np.mean(losses)), eer, thr

    def save_epoch(self, epoch: int, thr: float, finished: bool) -> None:
        state = self.full_state(epoch, finished)  # collective (gathers RNG states)
        if not self.info.is_main:
            return
        exp = self.args.exp
        ckpt.save(state, ckpt.epoch_path(exp, epoch))
        ckpt.save(state, exp / "latest.pt")
        ranked = ranked_epochs(self.history, self.select)
        if ranked[0] == epoch:
            best = {"model": state["model"], "config": self.cfg, "epoch": epoch,
                    "averaged_epochs": [epoch], "metrics": self.history[-1]}
            ckpt.save(best, exp / "best_single.pt")
            ckpt.save(best, exp / "best.pt")
            write_threshold(exp, thr, self.history[-1]["dev_eer"], epoch)
        keep = int(self.tcfg["keep_checkpoints"] or 0)
        if keep:
            n = max(keep, int(self.tcfg["average_best"] or 1))
            ckpt.prune_epochs(exp, set(ranked[:n]) | {epoch})

    def average_best(self) -> None:
        """``train.average_best: n`` > 1: best.pt holds the mean of the n best epochs' weights,
        re-scored on dev for its threshold; best_single.pt keeps the single best."""
        n = int(self.tcfg["average_best"] or 1)
        ranked = ranked_epochs(self.history, self.select)[:n]
        if n <= 1 or len(ranked) < 2:
            return
        exp = self.args.exp
        paths = [ckpt.epoch_path(exp, e) for e in ranked]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise SpoofcmError(f"train.average_best: checkpoints missing: {missing}")
        avg = ckpt.average_states(ckpt.load(p)["model"] for p in paths)
        self.raw.load_state_dict(avg)
        dev_loss, eer, thr = self.evaluate_dev()
        self.log(f"average of epochs {ranked}: dev_loss {dev_loss:.4f} dev_eer {100 * eer:.2f}%")
        if self.info.is_main:
            ckpt.save({"model": avg, "config": self.cfg, "epoch": ranked[0],
                       "averaged_epochs": ranked,
                       "metrics": {"dev_loss": dev_loss, "dev_eer": eer}}, exp / "best.pt")
            write_threshold(exp, thr, eer, ranked)

    def run(self) -> None:
        self.prepare()
        start = self.restore()
        max_epochs = int(self.tcfg["max_epochs"])
        patience = self.tcfg["patience"]
        if start > max_epochs or stop_early(self.history, self.select, patience):
            self.log("training already finished")
            start = max_epochs + 1
        for epoch in range(start, max_epochs + 1):
            t0 = time.time()
            self.sampler.set_epoch(epoch)
            self.train_ds.set_epoch(epoch)
            seed_everything(epoch_seed(self.seed, epoch, self.info.rank))
            train_loss = self.train_epoch(epoch)
            dev_loss, eer, thr = self.evaluate_dev()
            self.history.append({"epoch": epoch, "train_loss": train_loss, "dev_loss": dev_loss,
                                 "dev_eer": eer, "time": time.time() - t0,
                                 "lr": self.optimizer.param_groups[0]["lr"]})
            stop = stop_early(self.history, self.select, patience)
            best = ranked_epochs(self.history, self.select)[0] == epoch
            self.save_epoch(epoch, thr, finished=stop or epoch == max_epochs)
            self.log(f"epoch {epoch}/{max_epochs} train_loss {train_loss:.4f} "
                     f"dev_loss {dev_loss:.4f} dev_eer {100 * eer:.2f}% "
                     f"lr {self.history[-1]['lr']:.3g} time {self.history[-1]['time']:.1f}s"
                     + (" [best]" if best else ""))
            D.barrier()
            if stop:
                self.log(f"early stop: no dev improvement for {patience} epochs")
                break
        if self.history:
            self.average_best()
        D.barrier()


def run_training(cfg: dict[str, Any], args: RunArgs) -> None:
    """Stage 3 for one model: neural models go through :class:`Trainer`, GMM-like systems
    (``is_neural = False``) through one ``fit`` on full utterances."""
    # one writer per exp dir: rank 0 holds the lock for the whole job (the other ranks of a
    # torchrun job share the directory by design)
    lock = exp_lock(args.exp, "spoofcm-train") if D.env_info().is_main else nullcontext()
    with lock:
        try:
            trainer = Trainer(cfg, args)
            if trainer.is_neural:
                trainer.run()
            else:
                from spoofcm.train.nonneural import fit_non_neural
                fit_non_neural(trainer.model, cfg, args)
        finally:
            D.shutdown()
