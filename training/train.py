"""Fit the desk classifier on the weak-labelled corpora, write a checked model folder atomically."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from service import modelfile
from service.classifier import (
    FORMAT,
    MANIFEST_FILE,
    MODEL_FILE,
    TRAINED_WITH,
    Vocabulary,
    compose_all,
    library_versions,
)
from service.errors import DataError
from service.model import HeadChars, HeadWords
from service.tokenize import default_segmenter

from .augment import unframe_commentary
from .corpus import TRAIN_FILES, cap_per_label, check_counts, data_hash, read_training
from .cues import Cues
from .export import check_export, export
from .noise import relabel

__all__ = ["train", "build_pipeline", "CONFIG", "MIN_PER_LABEL", "write_model"]

# Chosen on dev_gold among the configurations in training/EXPERIMENTS.md. `head_chars`: each
# block reads the title and the body's first N characters (0 = all): the opening names the
# desk, and segmentation and n-grams cost per character (see "Reading less" there).
CONFIG = {
    "words": {"min_df": 2, "sublinear_tf": True, "head_chars": 400},
    "chars": {
        "ngram_range": [1, 2],
        "min_df": 3,
        "sublinear_tf": True,
        "max_features": 150_000,
        "head_chars": 600,
    },
    "cues": ["title_series", "official_activity"],
    "clf": {"type": "LogisticRegression", "C": 10.0, "class_weight": "balanced"},
    "relabel": True,
    "augment_commentary": True,
}
# Enough rows per label for 5-fold cross-validation (the evaluation's baseline and any
# calibration need every class in every fold).
MIN_PER_LABEL = 5


def build_pipeline(config: dict = CONFIG, seed: int = 13) -> Pipeline:
    """The unfitted pipeline: (title, body) pairs → composed text → word+char TF-IDF+cues → LR."""
    w, c, k = config["words"], config["chars"], config["clf"]
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    # pickles with its user dictionary; segments the title + the body's opening
                    tokenizer=HeadWords(default_segmenter(), w.get("head_chars", 0)),
                    token_pattern=None,
                    lowercase=False,
                    min_df=w["min_df"],
                    sublinear_tf=w["sublinear_tf"],
                    dtype=np.float32,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char",
                    # the body's first head_chars characters (0 = all), lower-cased
                    preprocessor=HeadChars(c["head_chars"]) if c.get("head_chars") else None,
                    ngram_range=tuple(c["ngram_range"]),
                    min_df=c["min_df"],
                    sublinear_tf=c["sublinear_tf"],
                    max_features=c["max_features"],
                    dtype=np.float32,
                ),
            ),
            ("cues", Cues()),
        ]
    )
    clf = LogisticRegression(
        C=k["C"], class_weight=k["class_weight"], max_iter=5000, random_state=seed
    )
    return Pipeline(
        [("text", FunctionTransformer(compose_all)), ("features", features), ("clf", clf)]
    )


def _stages(progress: bool, total: int):
    if not progress:
        return nullcontext(None)
    from tqdm import tqdm

    return tqdm(total=total, desc="train", unit="step", file=sys.stderr)


def _step(bar, name: str) -> None:
    if bar is not None:
        bar.set_postfix_str(name)
        bar.update(1)


def train(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    limit: int | None = None,
    seed: int = 13,
    progress: bool = True,
) -> dict:
    """Train on classify/train.jsonl + other.jsonl under `data_dir`; return the manifest written."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    files = [data_dir / name for name in TRAIN_FILES]
    with _stages(progress, 4) as bar:
        records = read_training(data_dir)
        records = cap_per_label(records, limit, seed)
        if CONFIG["relabel"]:
            records, moved = relabel(records)
        else:
            moved = {}
        counts = check_counts(records, MIN_PER_LABEL)
        if CONFIG["augment_commentary"]:
            records, added = unframe_commentary(records)
        else:
            added = 0
        _step(bar, "read")
        np.random.seed(seed)
        pipeline = build_pipeline(CONFIG, seed)
        pipeline.fit([r.item for r in records], [r.label for r in records])
        _compact(pipeline)
        # Serving runs the compiled form; it must give the pipeline's probabilities.
        model = export(pipeline)
        sample = [r.item for r in records[:: max(1, len(records) // 300)]]
        gap = check_export(pipeline, model, sample)
        _step(bar, "fit")
        metrics, heldout_gap = _heldout_metrics(pipeline, model, data_dir)
        gap = max(gap, heldout_gap)
        _step(bar, "score")
        manifest = {
            "format": FORMAT,
            "name": out_dir.name,
            "version": datetime.now(UTC).strftime("%Y%m%d%H%M%S"),
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "labels": [str(c) for c in pipeline.classes_],
            "libraries": library_versions(),
            "trained_with": library_versions(TRAINED_WITH),
            "compiled_max_gap": gap,
            "data_sha256": data_hash(files),
            "data": {
                "files": [str(n) for n in TRAIN_FILES],
                "counts": counts,
                "limit": limit,
                "relabelled": dict(moved),
                "commentary_unframed_copies": added,
            },
            "seed": seed,
            "config": CONFIG,
            "segmenter_userdict_sha256": default_segmenter().digest,
            "metrics": metrics,
        }
        write_model(model, manifest, out_dir)
        _step(bar, "write")
    return manifest


def _compact(pipeline: Pipeline) -> None:
    """Make the fitted pipeline small and quick to load: packed vocabularies, no pruned terms."""
    for _, step in pipeline.named_steps["features"].transformer_list:
        if hasattr(step, "vocabulary_"):
            step.vocabulary_ = Vocabulary(step.vocabulary_)
        if getattr(step, "stop_words_", None) is not None:
            step.stop_words_ = None  # introspection only; sklearn documents removing it


def _heldout_metrics(pipeline: Pipeline, model, data_dir: Path) -> tuple[dict, float]:
    """Headline figures on the dev files that exist (never trained on): macro-F1 and accuracy.

    They are the compiled model's figures; the largest gap between its probabilities and the
    pipeline's on these files comes back with them (check_export raises past its tolerance).
    """
    from .corpus import read_jsonl
    from .evaluate import EVAL_FILES, scores

    out, gap = {}, 0.0
    for key, name in EVAL_FILES.items():
        path = data_dir / name
        if not path.is_file():
            continue
        rows = read_jsonl(path)
        gap = max(gap, check_export(pipeline, model, [r.item for r in rows]))
        pred = model.predict([r.item for r in rows])
        s = scores([r.label for r in rows], list(pred), [str(c) for c in model.classes_])
        out[key] = {"macro_f1": s["macro_f1"], "accuracy": s["accuracy"]}
    return out, gap


def write_model(pipeline: object, manifest: dict, out_dir: Path) -> None:
    """Write model.npz (arrays + JSON) + manifest.json beside `out_dir`, swap it into place.

    A run that fails before the swap leaves the previous model untouched; the swap itself is
    two renames on one filesystem.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f"{out_dir.name}.tmp-{os.getpid()}"
    old = out_dir.parent / f"{out_dir.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        # Data only, loaded without unpickling (service.modelfile); uncompressed, so arrays
        # load as one copy each with no zlib pass.
        data = modelfile.dumps(pipeline)
        (tmp / MODEL_FILE).write_bytes(data)
        manifest["sha256"] = hashlib.sha256(data).hexdigest()
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        (tmp / MANIFEST_FILE).write_text(text, encoding="utf-8")
        # Loading refuses a model others may write: owner-only writes, whatever the umask.
        for path in (tmp, tmp / MODEL_FILE, tmp / MANIFEST_FILE):
            os.chmod(path, path.stat().st_mode & ~0o022)
        if out_dir.exists():
            if not out_dir.is_dir():
                raise DataError(f"{out_dir} exists and is not a folder", field="out")
            out_dir.rename(old)
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out_dir.exists():
            old.rename(out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
