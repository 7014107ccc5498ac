"""Summarisation: our lead against Lead-1 and TextRank4ZH, docs/s and ROUGE-L on the same docs."""

from __future__ import annotations

from .common import Context, Figure, need

__all__ = ["run"]


def run(ctx: Context) -> list[Figure]:
    need("training.summaries", "training.summaries (ROUGE-L, Lead-1, TextRank4ZH)")
    need("service.summariser", "service.summariser")
    raise NotImplementedError
