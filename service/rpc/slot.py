"""The model slot: the serving model, loaded, checked and warmed beside the old one, then
swapped in as one reference; a failed reload keeps the old model serving."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import pipeline
from .._proto.newsdesk.v1 import newsdesk_pb2 as pb
from ..classifier import MANIFEST_FILE
from ..errors import ModelLoading, ModelNotLoaded
from ..modelfile import MODEL_FILE
from .metrics import Metrics, log

__all__ = ["ModelSlot", "Loaded", "SETTLE_SECONDS"]

# A poll's failed load within this long of the folder's last change is a write in progress
# (model.npz landed, manifest.json not yet, or a file half copied): waited for, not alarmed on.
# One that still fails once the folder has been still this long is refused and counted.
SETTLE_SECONDS = 5.0


@dataclass(frozen=True)
class Loaded:
    """A loaded, warmed model and its description, swapped as one reference."""

    classifier: Any
    info: pb.ModelInfo


class ModelSlot:
    """Holds the serving model; reloads load and warm beside it, then swap one reference.

    A model that fails its checks is refused and counted, and the old one keeps serving.
    """

    def __init__(self, path: Path, metrics: Metrics, on_ready: Callable[[], None]) -> None:
        self.path = path
        self.current: Loaded | None = None
        self._metrics = metrics
        self._on_ready = on_ready
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._tried = False  # set once the first load has finished, well or badly
        self._waiting = False  # a poll's load failed while the folder was still changing

    def get(self) -> Loaded:
        # `_tried` before `current`: the first load sets them in the other order, so a call
        # meeting it half done reads "still loading", never "no model is loaded".
        tried = self._tried
        current = self.current  # one read: a reload may swap it while this call runs
        if current is None and not tried:
            # Health says NOT_SERVING meanwhile; UNAVAILABLE lets clients retry with backoff.
            raise ModelLoading(
                # callers never see the model's folder (only --model-path-in-info shows it)
                "the model is still loading: retry shortly (health reports SERVING once it is up)"
            )
        if current is None:
            raise ModelNotLoaded(
                "no model is loaded (the server's log says why): train one (`newsdesk train`) "
                "or point --model at a model folder, then send SIGHUP or wait for the reload"
            )
        return current

    @property
    def loading(self) -> bool:
        """The first load has not finished yet (not: it finished and failed)."""
        return not self._tried and self.current is None  # (this order: see `get`)

    def _manifest_stamp(self) -> tuple | None:
        """The manifest's and the model file's (mtime, size, inode); None without a manifest.

        The model file counts too: a folder copied in place may show its manifest before the
        model file has landed whole, and that load is refused; the file's own change when it
        lands is what tries again."""
        try:
            st = (self.path / MANIFEST_FILE).stat()
        except OSError:
            return None
        try:
            model = (self.path / MODEL_FILE).stat()
            artifact = (model.st_mtime_ns, model.st_size, model.st_ino)
        except OSError:
            artifact = None
        return (st.st_mtime_ns, st.st_size, st.st_ino, artifact)

    def reload(self, *, settling: bool = False) -> bool:
        """Load, check and warm the model at `path`; swap it in only if all of that worked.

        `settling`: the poll saw the folder change under SETTLE_SECONDS ago, so a failure is
        a write still in progress: logged as such, not counted, tried again when it settles."""
        from ..classifier import Classifier

        with self._lock:
            self._stamp = self._manifest_stamp()
            started = time.monotonic()
            try:
                classifier = Classifier.load(self.path)
                _warm(classifier)
                loaded = Loaded(classifier, _model_info(classifier, self.path))
            except Exception as exc:  # any failure, typed or not, must leave the old model up
                if settling:
                    if not self._waiting:
                        log.info(
                            "model folder still being written: waiting for it to settle",
                            extra={"path": str(self.path), "error": f"{type(exc).__name__}: {exc}"},
                        )
                    self._waiting = True
                    return False
                self._waiting = False
                # No manifest.json (an empty folder, a model not delivered yet): nothing was
                # refused, as the poll reads it too; not counted, so a replica started before
                # its model raises no alarm. A model there that fails is counted.
                missing = self._stamp is None
                if not missing:
                    self._metrics.reload_failures.inc()
                log.log(
                    logging.WARNING if missing else logging.ERROR,
                    "model reload refused" if self.current is not None else "model load refused",
                    extra={"path": str(self.path), "error": f"{type(exc).__name__}: {exc}",
                           **({"counted": False} if missing else {})},
                )  # fmt: skip
                self._tried = True
                return False
            first = self.current is None
            self._waiting = False
            self.current = loaded  # the swap: one reference assignment
            self._tried = True
            self._metrics.reloads.inc()
            info = loaded.info
            self._metrics.model.info(
                {"name": info.name, "version": info.version, "sha256": info.sha256}
            )
            log.info(
                "model loaded" if first else "model reloaded",
                extra={
                    "path": str(self.path),
                    "version": info.version,
                    "sha256": info.sha256,
                    "seconds": round(time.monotonic() - started, 3),
                },
            )
        self._on_ready()
        return True

    def watch(self, every: float) -> None:
        """Poll the manifest and model file every `every` seconds; reload when either changes."""
        if every <= 0 or self._watcher is not None:
            return
        self._watcher = threading.Thread(
            target=self._poll, args=(every,), name="newsdesk-model-watch", daemon=True
        )
        self._watcher.start()

    def _poll(self, every: float) -> None:
        seen, since = self._stamp, time.monotonic()
        while not self._stop.wait(every):
            stamp = self._manifest_stamp()
            now = time.monotonic()
            if stamp != seen:
                seen, since = stamp, now
            settling = now - since < SETTLE_SECONDS
            # A missing manifest is a folder being replaced: wait for the new one to land. A
            # load that failed while the folder changed is tried again once it has settled.
            if stamp is not None and (stamp != self._stamp or (self._waiting and not settling)):
                self.reload(settling=settling)

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)


def _warm(classifier: Any) -> None:
    """Run a small bare page through the whole pipeline, with evidence and keywords, so the
    first caller pays no lazy set-up (the page splitter's word tables and head models, the
    reading tables, the keyword weights: about 0.25 s, once, that a first page paid)."""
    page = (
        "贵阳日报 2026年1月5日 星期一 第2版\n"
        "聚焦高质量发展\n"
        "贵阳市召开工作会议\n"
        "——研究部署下一阶段重点工作\n"
        "本报讯 贵阳市近日召开会议，研究部署下一阶段重点工作。会议强调，要抓好项目建设和产业\n"
        "发展，推动经济持续向好。\n"
        "抓项目促投资\n"
        "会议要求，各区县要加快重大项目建设进度，确保早开工、早见效。\n"
        "周末好去处\n"
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。\n"
        "本版责编：王明\n"
    )
    pipeline.analyse_page(page, classifier, explain=3, keywords=3)


def _model_info(classifier: Any, path: Path) -> pb.ModelInfo:
    """Describe a model from its manifest; tolerant of which optional keys a manifest has."""
    manifest = dict(getattr(classifier, "manifest", {}) or {})

    def first(*keys: str) -> str:
        for key in keys:
            value = manifest.get(key)
            if isinstance(value, str | int | float) and value != "":
                return str(value)
        return ""

    # Figures are description, not model: a section that is not an object is left out, as the
    # CLI, which never reads them, serves such a model (it was a TypeError refusing the reload).
    review = _section(manifest, "review")
    heldout = _section(review, "heldout_months")
    # the review flag's thresholds and the held-out figures they were fitted for, beside the
    # headline figures: a caller deciding how far to trust `review: false` needs them
    figures = {
        **_section(manifest, "metrics"),
        "review": {
            # the promise (≥ 0.95 unflagged right) and whether every held-out month kept it at
            # the fitted target (1/0): fitted_target alone (0.99) read as a 99% promise
            "target_precision": review.get("target_precision"),
            "new_month_met": _flag(review.get("new_month_met")),
            "fitted_target": review.get("fitted_target"),
            "threshold": review.get("thresholds"),
            "heldout_months": {k: heldout.get(k) for k in ("review_share", "unflagged_precision")},
        },
    }
    metrics = [pb.Metric(name=name, value=value) for name, value in _flat_numbers(figures)]
    return pb.ModelInfo(
        name=first("name") or path.name,
        version=first("version", "model_version"),
        labels=list(classifier.labels),
        sha256=first("sha256", "artifact_sha256", "model_sha256"),
        trained_at=first("trained_at", "created_at", "created"),
        data_sha256=first("data_sha256", "data_hash", "training_data_sha256"),
        metrics=metrics,
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        path=str(path),
    )


def _section(mapping: Any, key: str) -> dict:
    """`mapping[key]` when it is a JSON object, else {} (absent, null, a list, a number …)."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, dict) else {}


def _flat_numbers(value: Any, prefix: str = "") -> Iterator[tuple[str, float]]:
    """Headline figures as dotted names ("dev.macro_f1"); per-class tables are skipped."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flat_numbers(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield prefix, float(value)


def _flag(value: Any) -> float | None:
    """A manifest's true/false as a figure, 1 or 0; anything else left out."""
    return float(value) if isinstance(value, bool) else None
