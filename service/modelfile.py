"""The model file: a compiled DeskModel as arrays and JSON in one `.npz`, loaded without pickle.

A pickle runs code when it is loaded, so a model folder anyone could write was a way to run
code in the CLI and the server. This format is data only:

- every numpy array is a `.npy` entry, read with `numpy.load(allow_pickle=False)`;
- `model.json` (a UTF-8 entry) describes the object tree: which of the classes `_classes()` lists
  each node is, its scalar settings, and the names of its arrays;
- `userdict-N.txt` entries hold the segmenter's user dictionary in jieba's text format.

Loading builds only the classes `_classes()` lists (by `cls.__new__` and their state, never
`__reduce__` or `__init__` side effects), so a crafted file can at worst describe a wrong model;
the manifest's sha256 and the load checks refuse that. A new feature block is one more entry in
`_classes()` (its state must be arrays, JSON values, or other classes listed there).

The file is written deterministically (fixed zip timestamps, sorted entries), so the same model
gives the same sha256.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError

__all__ = ["MODEL_FILE", "LEGACY_FILE", "save", "load", "dumps", "loads"]

MODEL_FILE = "model.npz"
LEGACY_FILE = "model.joblib"  # formats 1 and 2: a pickle, no longer loaded
_TREE = "model.json"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip epoch: no build time in the bytes


def _classes() -> dict[str, type]:
    """The only classes a model file may name (imported here: they import this module)."""
    from . import classifier, model, tokenize

    kinds = (
        model.DeskModel,
        model.CharTfidf,
        model.WordTfidf,
        model.CueBlock,
        model.TermTable,
        model.HeadWords,
        model.HeadChars,
        tokenize.Segmenter,
        classifier.Vocabulary,
    )
    return {k.__name__: k for k in kinds}


class _Writer:
    """Collects arrays and texts while the object tree is turned into JSON."""

    def __init__(self) -> None:
        self.entries: dict[str, np.ndarray] = {}
        self.dicts: dict[tuple, str] = {}
        self.classes = _classes()

    def array(self, value: np.ndarray) -> str:
        name = f"a{len(self.entries)}"
        self.entries[name] = value
        return name

    def text(self, prefix: str, text: str) -> str:
        name = f"{prefix}-{len(self.entries)}.txt"
        self.entries[name] = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        return name

    def encode(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, np.generic):  # a numpy scalar: its Python value
            return value.item()
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple):
            return {"$tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                if not all(isinstance(v, str) for v in value.ravel()):
                    raise ValueError(f"{where}: an object array holds more than strings")
                return {"$strings": [str(v) for v in value.ravel()], "shape": list(value.shape)}
            return {"$array": self.array(value)}
        if isinstance(value, dict):
            if all(isinstance(k, str) for k in value) and (
                type(value) is self.classes["Vocabulary"] or len(value) > 64
            ):
                return self.terms(value, where)
            if not all(isinstance(k, str) for k in value):
                raise ValueError(f"{where}: a dict with keys other than strings")
            return {"$dict": {k: self.encode(v, f"{where}.{k}") for k, v in value.items()}}
        name = type(value).__name__
        if self.classes.get(name) is not type(value):
            raise ValueError(f"{where}: a {type(value).__qualname__} is not a model class")
        if name == "Segmenter":
            return {"$object": name, "userdict": self.userdict(value.userdict)}
        state = value.__getstate__() or {}  # None: no instance attributes
        if not isinstance(state, dict):
            raise ValueError(f"{where}: {name} has no attribute state")
        return {
            "$object": name,
            "state": {k: self.encode(v, f"{where}.{k}") for k, v in sorted(state.items())},
        }

    def terms(self, value: dict, where: str) -> dict:
        """A str → int mapping as one text and one array of lengths and one of ids."""
        terms = list(value)
        ids = np.asarray(list(value.values()))
        if ids.dtype.kind not in "iu":
            raise ValueError(f"{where}: a large mapping whose values are not integers")
        return {
            "$terms": self.text("terms", "".join(terms)),
            "lengths": self.array(np.fromiter(map(len, terms), np.int64, len(terms))),
            "ids": self.array(ids.astype(np.int64)),
            "vocabulary": type(value) is self.classes["Vocabulary"],
        }

    def userdict(self, entries: tuple) -> str:
        from .tokenize import read_userdict

        lines = [" ".join(str(p) for p in (w, f, t) if p not in (None, "")) for w, f, t in entries]
        text = "\n".join(lines) + "\n"
        if read_userdict(text.splitlines()) != tuple(entries):  # the text must say the same
            raise ValueError("the segmenter's user dictionary does not round-trip as text")
        key = tuple(entries)
        if key not in self.dicts:
            self.dicts[key] = self.text("userdict", text)
        return self.dicts[key]


def dumps(model: Any) -> bytes:
    """The model file's bytes: the same model always gives the same bytes."""
    writer = _Writer()
    tree = writer.encode(model, "model")
    entries = dict(writer.entries)
    entries[_TREE] = np.frombuffer(json.dumps(tree, sort_keys=True).encode(), dtype=np.uint8)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(entries[name]), allow_pickle=False)
    return out.getvalue()


def save(model: Any, path: str | Path) -> None:
    Path(path).write_bytes(dumps(model))


class _Reader:
    def __init__(self, arrays: Any) -> None:
        self.arrays = arrays
        self.classes = _classes()

    def array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays.files:
            raise ValueError(f"the model refers to an array {name!r} it does not hold")
        return self.arrays[name]

    def text(self, name: Any) -> str:
        return self.array(name).tobytes().decode("utf-8", "surrogatepass")

    def decode(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict) or len([k for k in value if k.startswith("$")]) != 1:
            raise ValueError(f"unexpected node in the model tree: {str(value)[:80]}")
        if "$tuple" in value:
            return tuple(self.decode(v) for v in value["$tuple"])
        if "$array" in value:
            return self.array(value["$array"])
        if "$strings" in value:
            return np.asarray([str(s) for s in value["$strings"]], dtype=object).reshape(
                value["shape"]
            )
        if "$dict" in value:
            return {str(k): self.decode(v) for k, v in value["$dict"].items()}
        if "$terms" in value:
            return self.terms(value)()
        return self.object(value)

    def terms(self, value: dict) -> Callable[[], dict]:
        """A `$terms` mapping, made when called: its arrays are read now (the file closes)."""
        text = self.text(value["$terms"])
        lengths, ids = self.array(value["lengths"]), self.array(value["ids"])
        kind = self.classes["Vocabulary"] if value.get("vocabulary") is True else dict
        if (
            lengths.ndim != 1
            or lengths.dtype.kind not in "iu"
            or ids.dtype.kind not in "iu"
            or len(lengths) != len(ids)
            or (lengths < 0).any()
            or int(lengths.sum()) != len(text)
        ):  # refused now, not at the first keyword
            raise ValueError("a mapping whose terms, lengths and ids do not agree")

        def make() -> dict:
            ends = list(accumulate(lengths.tolist()))
            terms = [text[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
            return kind(zip(terms, ids.tolist(), strict=True))

        make.ids = ids  # type: ignore[attr-defined]  # checked at load without making the dict
        return make

    def object(self, value: dict) -> Any:
        name = value.get("$object")
        cls = self.classes.get(name) if isinstance(name, str) else None
        if cls is None:
            raise ValueError(f"the model names a class {name!r} that is not a model class")
        if name == "Segmenter":
            from .tokenize import read_userdict

            return cls(read_userdict(self.text(value["userdict"]).splitlines()))
        state = value.get("state")
        if not isinstance(state, dict):
            raise ValueError(f"{name} without its state")
        obj = cls.__new__(cls)
        obj.__dict__.update(
            # A word block's vocabulary is made on first use (WordTfidf.vocabulary_).
            {str(k): self.terms(v) if name == "WordTfidf" and k == "vocabulary_"
             and isinstance(v, dict) and "$terms" in v else self.decode(v)
             for k, v in state.items()}
        )  # fmt: skip
        return obj


def loads(data: Any, where: str) -> Any:
    """The object tree from a model file (a path or a binary file object); never unpickles."""
    try:
        with np.load(data, allow_pickle=False) as arrays:
            reader = _Reader(arrays)
            tree = json.loads(reader.text(_TREE))
            return reader.decode(tree)
    except ModelError:
        raise
    except (
        OSError,
        EOFError,  # numpy's word for an empty file: not the input's truncated gzip
        ValueError,
        KeyError,
        TypeError,
        RecursionError,
        zipfile.BadZipFile,
        UnicodeDecodeError,
    ) as exc:
        raise ModelError(
            f"{where} is not a readable model file ({type(exc).__name__}: {exc}); "
            "retrain with `make train`",
            field="model",
        ) from exc


def load(path: str | Path) -> Any:
    return loads(Path(path), str(path))


def check_not_shared(folder: Path, names: tuple[str, ...]) -> None:
    """Refuse a model folder, or a file in it, that users other than its owner may write.

    Whoever can write the folder chooses the model (and its manifest, hash included): such a
    folder is no more trustworthy than its least trusted writer.
    """
    import stat

    for path in (folder, *(folder / n for n in names)):
        try:
            mode = path.stat().st_mode
        except OSError:
            continue  # a missing file is reported by the check that needs it
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            who = "group and other users" if mode & stat.S_IWOTH else "its group"
            raise ModelError(
                f"{path} is writable by {who} (mode {stat.filemode(mode)}), so others could "
                f"replace the model; make it writable by its owner only: chmod go-w "
                f"{folder} {folder}/*",
                field="model",
            )
