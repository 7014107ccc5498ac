"""Summarisation: our lead against Lead-1 and TextRank4ZH, docs/s and ROUGE-L on the same docs.

The systems and ROUGE-L come from training.summaries, so these figures and
`make evaluate-summaries` score leads the same way.
"""

from __future__ import annotations

import time

from .common import Context, Figure, Skip, need

__all__ = ["run"]

SPEED = 50.0  # ours ≥ 50× TextRank4ZH, at a higher ROUGE-L


def _timed(system, rows: list[dict]) -> tuple[list[str], float]:
    system(rows[0]["title"], rows[0]["text"])  # dictionaries load outside the clock
    started = time.perf_counter()
    out = [system(r["title"], r["text"]) for r in rows]
    return out, time.perf_counter() - started


def run(ctx: Context) -> list[Figure]:
    summaries = need("training.summaries", "training.summaries (ROUGE-L, Lead-1, TextRank4ZH)")
    ctx.data_file("summarise/dev.jsonl")
    rows = summaries.read_briefs(ctx.data, limit=150 if ctx.quick else None)
    systems = summaries.baselines()
    if systems.get("ours") is None:
        raise Skip("training.summaries has no 'ours' system")
    results = {}
    for name in ("ours", "lead1", "textrank4zh"):
        system = systems.get(name)
        if system is None:
            continue  # TextRank4ZH needs the bench extra; the others always exist
        outputs, seconds = _timed(system, rows)
        rouge_l = sum(
            summaries.rouge_l(o, r["summary"]).f1 for o, r in zip(outputs, rows, strict=True)
        ) / len(rows)
        results[name] = (len(rows) / seconds, rouge_l)
    speed, quality = results["ours"]
    note = f"{len(rows)} briefs of summarise/dev.jsonl, one-sentence leads, ROUGE-L F1 on chars"
    figures = []
    if "textrank4zh" in results:
        tr_speed, tr_quality = results["textrank4zh"]
        figures += [
            Figure(
                "summarise_docs_per_s",
                "docs/s",
                speed,
                "TextRank4ZH",
                tr_speed,
                target=f">= {SPEED:g}x TextRank4ZH at higher ROUGE-L",
                met=speed >= SPEED * tr_speed and quality > tr_quality,
                note=note,
            ),
            Figure("summarise_rouge_l", "F1", quality, "TextRank4ZH", tr_quality, note=note),
        ]
    else:
        figures.append(
            Figure(
                "summarise_docs_per_s",
                "docs/s",
                speed,
                note=note + "; TextRank4ZH not installed (pip install -e '.[bench]')",
            )
        )
    lead_speed, lead_quality = results["lead1"]
    figures += [
        Figure("summarise_rouge_l_vs_lead1", "F1", quality, "Lead-1", lead_quality, note=note),
        Figure("summarise_lead1_docs_per_s", "docs/s", speed, "Lead-1", lead_speed, note=note),
    ]
    return figures
