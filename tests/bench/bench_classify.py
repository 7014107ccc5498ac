"""In-process classification on one core: Classifier.predict against the usual script."""

from __future__ import annotations

from .baseline import document
from .common import Context, Figure, baseline_model, need, rate

__all__ = ["run"]

TARGET = 10.0  # ours ≥ 10× the usual script


def run(ctx: Context) -> list[Figure]:
    classifier = need("service.classifier", "service.classifier")
    model = ctx.need_model()
    dev = ctx.jsonl("classify/dev.jsonl")
    if ctx.quick:
        dev = dev[:300]
    ours_clf = classifier.Classifier.load(model)
    items = [(r.get("title") or "", r["text"]) for r in dev]
    ours_clf.predict(items[:8])  # first call builds the segmenter: loading, not predicting
    ours = rate(len(items), lambda: ours_clf.predict(items))
    ours_labels = [p.label for p in ours_clf.predict(items)]

    import jieba
    import joblib

    jieba.setLogLevel(60)  # its dictionary-loading chatter is not a figure
    trained = baseline_model(ctx)
    usual = joblib.load(trained["path"])
    docs = [document(r) for r in dev]
    usual.predict(docs[:8])  # jieba loads its dictionary on first use
    base = rate(len(docs), lambda: usual.predict(docs), repeat=1 if not ctx.quick else 2)
    base_labels = list(usual.predict(docs))

    gold = [r["label"] for r in dev]
    acc_ours = sum(a == b for a, b in zip(ours_labels, gold, strict=True)) / len(gold)
    acc_base = sum(a == b for a, b in zip(base_labels, gold, strict=True)) / len(gold)
    return [
        Figure(
            "classify_articles_per_s",
            "articles/s",
            ours,
            "jieba+TfidfVectorizer+LinearSVC",
            base,
            target=f">= {TARGET:g}x the usual script",
            met=ours >= TARGET * base,
            note=f"{len(items)} dev articles, one predict call each side, single core",
        ),
        Figure(
            "classify_dev_accuracy",
            "fraction",
            acc_ours,
            "jieba+TfidfVectorizer+LinearSVC",
            acc_base,
            note="agreement with dev.jsonl's weak (title-rule) labels",
        ),
    ]
