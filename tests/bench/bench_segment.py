"""Segmentation speed: service.tokenize.words against jieba.lcut on the same corpus text."""

from __future__ import annotations

from .common import Context, Figure, Skip, need, rate

__all__ = ["run"]

TARGET = 10.0  # ours ≥ 10× jieba


def run(ctx: Context) -> list[Figure]:
    tokenize = need("service.tokenize", "service.tokenize")
    jieba = need("jieba", "jieba (the baseline)")
    records = ctx.jsonl("classify/dev.jsonl")
    texts = [r["text"] for r in records[: 200 if ctx.quick else len(records)]]
    if not texts:
        raise Skip("classify/dev.jsonl is empty")
    chars = sum(map(len, texts))
    # Both build their dictionaries before timing: we measure segmenting, not loading.
    jieba.setLogLevel(60)
    jieba.initialize()
    jieba.load_userdict(str(tokenize.USERDICT))  # the same dictionary ours carries
    tokenize.words(texts[0])
    # Same tokens, or the speed comparison means nothing: count the texts that agree.
    agree = sum(tokenize.words(t) == jieba.lcut(t) for t in texts[:100])
    ours = rate(chars, lambda: [tokenize.words(t) for t in texts])
    base = rate(chars, lambda: [jieba.lcut(t) for t in texts], repeat=1 if not ctx.quick else 2)
    return [
        Figure(
            "segment_chars_per_s",
            "chars/s",
            ours,
            "jieba.lcut",
            base,
            target=f">= {TARGET:g}x jieba",
            met=ours >= TARGET * base,
            note=f"{len(texts)} dev texts, {chars:,} chars; {agree}/{min(len(texts), 100)} texts "
            "segmented exactly as jieba with the same user dictionary",
        )
    ]
