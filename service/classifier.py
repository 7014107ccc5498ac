"""The desk classifier: loads a verified model folder and labels (title, body) pairs in batches."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .documents import Prediction
from .errors import ModelError
from .model import DeskModel, compose
from .modelcheck import check_model
from .modelfile import LEGACY_FILE, MODEL_FILE, check_not_shared
from .modelfile import loads as load_model_file
from .review import reasons
from .validation import check_items

__all__ = [
    "Classifier",
    "DEFAULT_MODEL",
    "FORMAT",
    "MODEL_FILE",
    "MANIFEST_FILE",
    "LIBRARIES",
    "CHECKED_LIBRARIES",
    "TRAINED_WITH",
    "Vocabulary",
    "compose",
    "compose_all",
    "manifest_path",
    "library_versions",
    "sha256_file",
]

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "desk"
MANIFEST_FILE = "manifest.json"
# 3: a compiled DeskModel as arrays + JSON (service.modelfile), loaded without unpickling.
# 1 and 2 were pickles (the scikit-learn pipeline, then the DeskModel): refused with a
# message naming the fix (`make train`, or `newsdesk convert-model` for a model one trusts).
FORMAT = 3

# Libraries recorded in the manifest. Only rjieba changes results (its dictionary and engine
# segment the words the model looks up), so only its major.minor must match at load; numpy and
# scipy read the same arrays and do the same arithmetic across releases (the tests compare every
# result with scikit-learn's), so they are recorded for provenance. scikit-learn, which fits
# the model, is recorded under TRAINED_WITH, not needed to load it.
LIBRARIES = ("numpy", "scipy", "rjieba")
CHECKED_LIBRARIES = ("rjieba",)
TRAINED_WITH = ("scikit-learn",)


def compose_all(items: Sequence[tuple[str, str]]) -> list[str]:
    """`compose` over a batch; a module-level function so the fitted pipeline pickles."""
    return [compose(title, body) for title, body in items]


class Vocabulary(dict):
    """A TF-IDF vocabulary that pickles as one string and one array, so it loads in milliseconds.

    joblib unpickles with the pure-Python Unpickler; a plain dict of 10^5 terms to numpy ints
    takes most of a second that way, this form a few milliseconds (and is smaller anywhere).
    """

    def __reduce__(self):
        terms = list(self)
        if any("\0" in t for t in terms):  # NUL is the separator; never seen in news text
            return (dict, (dict(self),))
        ids = np.fromiter(self.values(), dtype=np.int64, count=len(terms))
        return (_vocabulary, ("\0".join(terms), ids))


def _vocabulary(joined: str, ids: np.ndarray) -> Vocabulary:
    terms = joined.split("\0") if len(ids) else []
    return Vocabulary(zip(terms, ids.tolist(), strict=True))


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """Installed versions of the libraries a model's artifact depends on."""
    return {name: _dist_info_version(name) or _metadata_version(name) for name in names}


def _dist_info_version(name: str) -> str | None:
    """The version in the first `<name>-<version>.dist-info` folder on sys.path, or None.

    importlib.metadata answers the same but costs 0.025 s to import (it pulls in email) at
    every `newsdesk classify`; None (an egg, two candidates in one folder) sends it there.
    """
    wanted = re.sub(r"[-_.]+", "_", name).lower() + "-"
    for entry in sys.path:
        try:
            found = [
                f[len(wanted) : -len(".dist-info")]
                for f in os.listdir(entry or ".")
                if f.lower().startswith(wanted) and f.endswith(".dist-info")
            ]
        except OSError:
            continue
        if found:
            return found[0] if len(found) == 1 else None
    return None


def _metadata_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _same_version(built: str, have: str) -> bool:
    return built.split(".")[:2] == have.split(".")[:2]


def check_folder(folder: Path) -> None:
    """A model folder that is there: a folder, not a file, whose files can be reached. Every
    load checks it first; `serve` checks it at start, so a typo exits rather than waits."""
    if folder.is_file():
        raise ModelError(
            f"--model {folder} is a file; pass the model folder that holds {MODEL_FILE} and "
            f"{MANIFEST_FILE}",
            field="model",
        )
    if not folder.is_dir():
        raise ModelError(
            f"model folder {folder} does not exist; train one with `make train` "
            f"or pass --model with a folder holding {MODEL_FILE} and {MANIFEST_FILE}",
            field="model",
        )
    if not os.access(folder, os.X_OK):  # no file inside can be opened
        raise ModelError(
            f"model folder {folder} cannot be read (no search permission for this user)",
            field="model",
        )


def manifest_path(folder: Path) -> Path:
    """`folder`'s manifest, once `check_folder` passes and the file is there. Without one the
    folder is no newsdesk model (another library's, `config.json` and `pytorch_model.bin`, or
    empty): said so, whoever loads it (classify, serve's log, batch's `pool.model_key`),
    rather than advising a retrain for a folder no training wrote."""
    check_folder(folder)
    path = folder / MANIFEST_FILE
    if not path.is_file():
        try:
            names = sorted(p.name for p in folder.iterdir())
        except OSError:
            names = None
        held = (
            ""
            if names is None
            else "; it is empty"
            if not names
            else f"; it holds {', '.join(names[:4])}{', …' if len(names) > 4 else ''}"
        )
        raise ModelError(
            f"{folder} is not a newsdesk model folder (no {MANIFEST_FILE}{held}): pass --model "
            f"a folder `make train` wrote, holding {MODEL_FILE} and {MANIFEST_FILE}",
            field="model",
        )
    return path


def _read_manifest(folder: Path) -> dict:
    path = manifest_path(folder)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        # RecursionError: nested past Python's limit (a traceback, exit 1, before this)
        raise ModelError(
            f"{path} is not valid JSON ({exc}); retrain with `make train`", field="model"
        ) from exc
    needed = ("format", "labels", "sha256", "libraries")
    missing = [k for k in needed if k not in manifest] if isinstance(manifest, dict) else []
    if isinstance(manifest, dict) and len(missing) == len(needed):  # another tool's manifest
        raise ModelError(
            f"{path} is no newsdesk manifest (none of {', '.join(needed)}): {folder} is not a "
            f"newsdesk model folder; pass --model a folder `make train` wrote",
            field="model",
        )
    if not isinstance(manifest, dict) or missing:
        raise ModelError(
            f"{path} {'lacks ' + ', '.join(missing) if missing else 'is not a JSON object'}; "
            "retrain with `make train`",
            field="model",
        )
    if manifest["format"] in (1, 2) or (folder / LEGACY_FILE).exists():
        raise ModelError(
            f"{folder} holds a pickled model ({LEGACY_FILE}, format {manifest['format']!r}); "
            "this newsdesk no longer loads pickles, which can run code. Retrain with "
            "`make train`, or convert a model you trust with "
            f"`newsdesk convert-model {folder}`",
            field="model",
            limit=FORMAT,
        )
    if manifest["format"] != FORMAT:
        raise ModelError(
            f"{path} has format {manifest['format']!r}, this newsdesk reads format {FORMAT}; "
            "retrain with `make train`",
            field="model",
            limit=FORMAT,
        )
    labels = manifest["labels"]
    if not (
        isinstance(labels, list)
        and all(isinstance(label, str) for label in labels)
        and len(labels) >= 2
        and len(set(labels)) == len(labels)
    ):
        raise ModelError(
            f"{path} lists labels {labels!r}; a model needs two or more distinct labels. "
            "Retrain with `make train`",
            field="model",
        )
    return manifest


def _check_versions(manifest: dict, folder: Path) -> None:
    have = library_versions()
    built = manifest["libraries"]
    if not isinstance(built, dict):
        raise ModelError(
            f"{folder / MANIFEST_FILE}'s libraries is {built!r}, not an object naming versions; "
            "retrain with `make train`",
            field="model",
        )
    diffs = [
        f"{name} {built.get(name, 'unrecorded')} (model) vs {have[name]} (installed)"
        for name in CHECKED_LIBRARIES
        if not _same_version(str(built.get(name, "")), have[name])
    ]
    if diffs:
        raise ModelError(
            f"model {folder} was built with other library versions: {'; '.join(diffs)}. "
            "Retrain it here with `make train`, or install the versions it was built with",
            field="model",
        )


def _thresholds(manifest: dict, labels: Sequence[str]) -> dict[str, float]:
    """The manifest's review thresholds, checked: none at all, or a probability for each label
    (a hand-edited manifest must fail at load, not on the first request)."""
    review = manifest.get("review") or {}
    if not isinstance(review, dict):
        raise ModelError("the manifest's review is not an object", field="model")
    given = review.get("thresholds") or {}
    if not isinstance(given, dict):
        raise ModelError("the manifest's review.thresholds is not an object", field="model")
    if given and set(given) != set(labels):
        raise ModelError(
            f"the manifest's review.thresholds name {sorted(given)}, not the model's labels "
            f"{sorted(labels)}; retrain with `make train`",
            field="model",
        )
    out = {}
    for label, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ModelError(
                f"the manifest's review threshold for {label!r} is {value!r}, not a probability "
                "between 0 and 1; retrain with `make train`",
                field="model",
            )
        out[label] = float(value)
    return out


class Classifier:
    """A fitted desk pipeline and its manifest; labels come from the manifest, not from code."""

    def __init__(self, pipeline: object, manifest: dict, path: Path | None = None) -> None:
        self.pipeline = pipeline
        self.manifest = manifest
        self.path = path
        self.labels: tuple[str, ...] = tuple(manifest["labels"])
        # Per-label review thresholds (training.review); a model without them flags only text
        # too thin to file.
        self.thresholds = _thresholds(manifest, self.labels)

    @classmethod
    def load(cls, path: str | Path = DEFAULT_MODEL) -> Classifier:
        """Load a model folder, refusing it unless its sha256 and library versions match."""
        folder = Path(path)
        manifest = _read_manifest(folder)
        check_not_shared(folder, (MANIFEST_FILE, MODEL_FILE))
        artifact = folder / MODEL_FILE
        if not artifact.is_file():
            raise ModelError(f"{artifact} is missing; retrain with `make train`", field="model")
        # The file is data (never unpickled); the hash still says it is the model trained.
        # Read once: the bytes hashed are the bytes loaded, whatever replaces the file meanwhile.
        try:
            data = artifact.read_bytes()
        except OSError as exc:
            raise ModelError(f"cannot read {artifact}: {exc}", field="model") from exc
        # Hashed on a second core while the arrays are read (hashlib lets go of the GIL): the
        # file is data, never unpickled, so reading it first is safe; nothing read is kept
        # unless the hash matches, and a changed file is reported as changed.
        hasher = hashlib.sha256()
        hashing = threading.Thread(target=hasher.update, args=(data,), name="model-sha256")
        hashing.start()
        try:
            pipeline = load_model_file(io.BytesIO(data), str(artifact))
        except ModelError as exc:
            pipeline = exc
        finally:
            hashing.join()
        digest = hasher.hexdigest()
        if digest != manifest["sha256"]:
            raise ModelError(
                f"{artifact} has sha256 {digest[:12]}…, the manifest expects "
                f"{str(manifest['sha256'])[:12]}…; the file was changed or replaced. "
                "Retrain with `make train`",
                field="model",
            )
        _check_versions(manifest, folder)
        if isinstance(pipeline, ModelError):
            raise pipeline
        if not isinstance(pipeline, DeskModel):
            raise ModelError(
                f"{artifact} holds a {type(pipeline).__name__}, not a compiled DeskModel; "
                "retrain with `make train`",
                field="model",
            )
        try:
            check_model(pipeline)
        except ValueError as exc:
            raise ModelError(
                f"{artifact} does not hold a sound model ({exc}); retrain with `make train`",
                field="model",
            ) from exc
        classes = [str(c) for c in pipeline.classes_]
        if classes != list(manifest["labels"]):
            raise ModelError(
                f"{artifact} predicts {classes}, its manifest lists {manifest['labels']}; "
                "retrain with `make train`",
                field="model",
            )
        return cls(pipeline, manifest, folder)

    def probabilities(self, items: Sequence[tuple[str, str]]) -> np.ndarray:
        """Probabilities, one row per item, columns in `labels` order (one transform per batch)."""
        check_items(items)  # the Python API's entry check (service.validation)
        if not items:
            return np.zeros((0, len(self.labels)))
        return _normalised(self.pipeline.predict_proba(list(items)))

    def predict(self, items: Sequence[tuple[str, str]]) -> list[Prediction]:
        """A Prediction per (title, body) pair: every label with its probability, highest first,
        and whether it needs review (service.review)."""
        return self.predictions(self.probabilities(items), items)

    def predict_scores(
        self, scores: np.ndarray, items: Sequence[tuple[str, str]]
    ) -> list[Prediction]:
        """`predict` from the model's decision values (evidence computes them on its way)."""
        return self.predictions(_normalised(self.pipeline.proba_of(scores)), items)

    def predictions(self, proba: np.ndarray, items: Sequence[tuple[str, str]]) -> list[Prediction]:
        """Predictions from a probability row per item (what `predict` ends with); `items` for
        the review flag's thin-text check."""
        orders = np.argsort(-proba, axis=1, kind="stable").tolist()  # one call for the batch
        why = reasons(items, self.labels, proba, self.thresholds)
        labels, out = self.labels, []
        for row, order, flagged in zip(proba.tolist(), orders, why, strict=True):
            scores = tuple((labels[i], row[i]) for i in order)
            out.append(Prediction(scores[0][0], scores, bool(flagged), flagged))
        return out


def _normalised(proba: np.ndarray) -> np.ndarray:
    proba = np.asarray(proba, dtype=np.float64)
    return proba / proba.sum(axis=1, keepdims=True)
