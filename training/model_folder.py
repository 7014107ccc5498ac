"""A model folder's files as `train` and `convert-model` both write them: one writer, one mode."""

from __future__ import annotations

import json
import os
from pathlib import Path

from service.classifier import MANIFEST_FILE, MODEL_FILE

__all__ = ["write_model_files"]


def write_model_files(folder: Path, data: bytes, manifest: dict) -> None:
    """`data` as the model file and `manifest` as JSON beside it, in a folder being built
    (`atomic_folder`), all three owner-writable only: loading refuses a model others may write."""
    (folder / MODEL_FILE).write_bytes(data)
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (folder / MANIFEST_FILE).write_text(text, encoding="utf-8")
    for path in (folder, folder / MODEL_FILE, folder / MANIFEST_FILE):
        os.chmod(path, path.stat().st_mode & ~0o022)  # whatever the umask
