"""Every array of a model file changed in shape, values or type, each loaded and used in turn.

Run as `python -m tests.model_mutations MODEL_DIR WORK_DIR` (a child process, so that a crash
in a compiled kernel is seen as one): prints a JSON line per mutation, `refused` (a ModelError
at load) or `served`, and exits 0 only if every one ended so.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ITEMS = [
    ("习近平会见法国总统", "国家主席习近平在人民大会堂会见法国总统，双方交换意见。" * 3),
    ("标题", "正文。"),
]


def mutations(a: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    if a.ndim:
        yield "half", a[: len(a) // 2]
        yield "longer", np.concatenate([a, a[: max(1, len(a) // 3)]])
        yield "empty", a[:0]
    if a.dtype.kind in "iu":
        yield "past", a + 10**6
        yield "negative", -a - 5
        yield "float", a.astype(np.float64)
    if a.dtype.kind == "f":
        yield "nan", np.full_like(a, np.nan)
        yield "int", a.astype(np.int64)
    if a.ndim == 2:
        yield "transposed", np.ascontiguousarray(a.T)
    if a.ndim == 1 and a.dtype.kind in "iuf":
        yield "2-D", a.reshape(1, -1)


def main(source: Path, work: Path) -> int:
    from service.classifier import Classifier
    from service.errors import ModelError
    from service.pipeline import analyse_articles
    from service.text import single_article

    with zipfile.ZipFile(source / "model.npz") as z:
        entries = {i.filename: z.read(i) for i in z.infolist()}
    for name, body in entries.items():
        if name.startswith(("model.json", "userdict", "terms")):
            continue  # the tree and texts: other tests craft those
        array = np.load(io.BytesIO(body), allow_pickle=False)
        for kind, changed in mutations(array):
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as z:
                for entry, data in entries.items():
                    if entry == name:
                        buf = io.BytesIO()
                        np.lib.format.write_array(buf, changed, allow_pickle=False)
                        data = buf.getvalue()
                    z.writestr(entry, data)
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(source, work)
            (work / "model.npz").write_bytes(out.getvalue())
            manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
            manifest["sha256"] = hashlib.sha256(out.getvalue()).hexdigest()  # as a forger would
            (work / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
            print(json.dumps({"array": name, "mutation": kind}), end=" ", flush=True)
            try:
                clf = Classifier.load(work)
            except ModelError:
                print("refused", flush=True)
                continue
            clf.predict(ITEMS)
            articles = [single_article(t, b) for t, b in ITEMS]
            bodies = [b for _, b in ITEMS]
            analyse_articles(articles, bodies, clf, summarise=False, explain=3, keywords=3)
            print("served", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
