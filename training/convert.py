"""`newsdesk convert-model`: a pickled model folder (format 2) you trust → the data-only format.

Serving never unpickles (a pickle runs code when loaded). This is the one place that still
does, on an operator's explicit command, and only after the pickle's sha256 matches its
manifest; it writes `model.npz` and a format-3 manifest, then removes `model.joblib`.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from pathlib import Path

from service import modelfile
from service.atomic import atomic_folder
from service.classifier import FORMAT, MANIFEST_FILE, sha256_file
from service.errors import ModelError
from service.model import DeskModel

from .model_folder import write_model_files

__all__ = ["convert"]


def convert(folder: str | Path, out: str | Path | None = None) -> Path:
    """Convert the pickled model in `folder` (in place, or into a copy at `out`)."""
    folder = Path(folder)
    legacy = folder / modelfile.LEGACY_FILE
    manifest_path = folder / MANIFEST_FILE
    if not legacy.is_file() or not manifest_path.is_file():
        raise ModelError(
            f"{folder} holds no pickled model ({modelfile.LEGACY_FILE} and {MANIFEST_FILE})",
            field="model",
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != 2 or sha256_file(legacy) != manifest.get("sha256"):
        raise ModelError(
            f"{legacy} is not the format-2 model its manifest describes (format or sha256 "
            "differ); retrain with `make train` rather than convert it",
            field="model",
        )
    with open(legacy, "rb") as f:
        model = pickle.load(f)  # noqa: S301 - the operator vouches for this file; hash checked
    if not isinstance(model, DeskModel):
        raise ModelError(f"{legacy} holds a {type(model).__name__}, not a DeskModel", field="model")
    target = folder if out is None else Path(out)
    if out is not None and target.exists():
        raise ModelError(f"{target} exists: give --out a new folder", field="out")
    data = modelfile.dumps(model)
    manifest.update(format=FORMAT, sha256=hashlib.sha256(data).hexdigest())
    # The house's folder writer, as training's: the folder is swapped in whole, so a server
    # polling it never meets a new manifest over the old model, and a failed run leaves it be.
    with atomic_folder(target) as tmp:
        shutil.copytree(
            folder, tmp, ignore=shutil.ignore_patterns(modelfile.LEGACY_FILE), dirs_exist_ok=True
        )
        write_model_files(tmp, data, manifest)
    return target
