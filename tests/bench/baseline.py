"""The usual script we compare against: jieba tokens, TfidfVectorizer, LinearSVC, joblib.

Run as `python -m tests.bench.baseline DATA OUT` it trains on classify/train.jsonl, saves the
pipeline with joblib and prints its wall time and peak RSS as JSON, as a training script would.
Run as `python -m tests.bench.baseline classify MODEL IN.jsonl OUT.jsonl` it is the batch
script: load the pipeline with joblib, label every record, write them back with `label`.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

__all__ = ["build", "classify", "cut", "document", "main"]


def cut(text: str) -> list[str]:
    """jieba.lcut behind a module-level name: the bound method drags a lock into the pickle."""
    import jieba

    return jieba.lcut(text)


def document(record: dict) -> str:
    """Title and body, the way such scripts feed both to one vectorizer."""
    return f"{record.get('title') or ''}\n{record['text']}"


def build():
    """The textbook pipeline: jieba.lcut as the tokenizer, TF-IDF, a linear SVM."""
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(60)
    vectorizer = TfidfVectorizer(tokenizer=cut, token_pattern=None, lowercase=False)
    return Pipeline([("tfidf", vectorizer), ("svm", LinearSVC())])


def classify(model: Path, source: Path, out: Path) -> None:
    """What a newsroom's batch script does: joblib.load, predict the file, write it back."""
    import joblib

    pipeline = joblib.load(model)
    with open(source, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    labels = pipeline.predict([document(r) for r in records])
    with open(out, "w", encoding="utf-8") as fh:
        for record, label in zip(records, labels, strict=True):
            fh.write(json.dumps({**record, "label": str(label)}, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    import joblib

    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "classify":
        classify(*(Path(a) for a in argv[1:4]))
        return 0

    # Run as __main__, our functions would pickle as __main__.cut: use the module's own names.
    from tests.bench.baseline import build, document

    data, out = (Path(a) for a in argv)
    started = time.perf_counter()
    with open(data / "classify" / "train.jsonl", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    pipeline = build().fit([document(r) for r in records], [r["label"] for r in records])
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, out)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"wall_s": wall, "peak_rss_mb": peak_mb, "path": str(out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
