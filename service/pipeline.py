"""One text pipeline for every entry point: records or pages in, labels and leads out.

The CLI, the gRPC server and the batch runner all call these functions, so an article is
prepared, classified and summarised the same way whichever door it came in by.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .documents import Analysis, Article, Lead
from .errors import InvalidInput
from .model import headline

__all__ = [
    "MAX_TEXT_CHARS",
    "Record",
    "parse_record",
    "analyse_articles",
    "analyse_page",
    "desk_item",
    "result_fields",
    "process_records",
]

_SURROGATE = re.compile("[\ud800-\udfff]")

# A whole newspaper page is ~15k characters; anything past this is not an article.
MAX_TEXT_CHARS = 1_000_000


@dataclass(frozen=True)
class Record:
    """A validated input record: the caller's JSON object and the article built from it."""

    data: dict[str, Any]
    article: Article


def parse_record(obj: Any, *, max_chars: int = MAX_TEXT_CHARS) -> Record:
    """Validate one JSONL object (`id`, optional `title`, `text`) and build its article."""
    from .pages import single_article

    if not isinstance(obj, dict):
        raise InvalidInput(
            f"expected a JSON object with a 'text' field, got {type(obj).__name__}", field="record"
        )
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("field 'text' is missing or empty: give the article body", field="text")
    if len(text) > max_chars:
        raise InvalidInput(
            f"field 'text' has {len(text)} characters, over the limit of {max_chars}: "
            "split the input into articles",
            field="text",
            limit=max_chars,
        )
    title = obj.get("title") or ""
    if not isinstance(title, str):
        raise InvalidInput("field 'title' must be a string", field="title")
    # JSON may escape a lone surrogate ("\ud800"), and bytes that are not UTF-8 are read as
    # such (surrogateescape); neither is a character the record could have meant, and no field
    # holding one could be written back out as UTF-8, so the record is refused whole.
    try:
        bad = _unencodable(obj)
    except RecursionError:
        raise InvalidInput("the record is nested too deeply to check", field="record") from None
    if bad is not None:
        raise InvalidInput(
            f"field '{bad}' holds bytes that are not UTF-8, or an escaped lone UTF-16 "
            "surrogate: fix the record's encoding (the file must be UTF-8)",
            field=bad,
        )
    rid = obj.get("id", "")
    if isinstance(rid, bool) or not isinstance(rid, str | int):
        raise InvalidInput("field 'id' must be a string or an integer", field="id")
    article = single_article(title, text, id=str(rid))
    # A newspaper's 引题 (kicker) and 副题 (subtitle): optional, read by the classifier.
    extra = {}
    for key in ("kicker", "subtitle"):
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidInput(f"field '{key}' must be a string", field=key)
        extra[key] = value.strip()
    return Record(obj, replace(article, **extra) if extra else article)


def _unencodable(value: Any, path: str = "") -> str | None:
    """The path of the first key or string in a JSON value with a lone surrogate, else None."""
    if isinstance(value, str):
        return (path or "record") if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            # backslashreplace: the path is shown, and written to error files, as UTF-8
            name = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
            where = f"{path}.{name}" if path else name
            if _SURROGATE.search(str(key)):
                return where
            found = _unencodable(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _unencodable(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def analyse_articles(
    articles: Sequence[Article],
    sources: Sequence[str],
    classifier: Any | None,
    *,
    summarise: bool = True,
    max_sentences: int = 0,
    max_chars: int = 0,
) -> list[Analysis]:
    """Classify a batch in one model call, then write each lead with offsets into its source.

    `sources[i]` is the text that `articles[i]`'s offsets point into (the page, or the
    caller's article text).
    """
    predictions = (
        classifier.predict([desk_item(a) for a in articles])
        if classifier is not None and articles
        else [None] * len(articles)
    )
    out = []
    for article, source, prediction in zip(articles, sources, predictions, strict=True):
        lead = None
        if summarise:
            lead = _lead(article, source, prediction, max_sentences, max_chars)
        out.append(Analysis(article, prediction, lead))
    return out


def desk_item(article: Article) -> tuple[str, str]:
    """The (title, body) pair the classifier reads: kicker and subtitle join the title line."""
    return (headline(article.title, article.kicker, article.subtitle), article.text)


def _lead(article: Article, source: str, prediction, max_sentences: int, max_chars: int) -> Lead:
    from .summariser import lead

    label = prediction.label if prediction is not None else None
    if not article.text.strip():
        return Lead("", ())
    local = lead(
        article.text,
        article.title,
        label=label,
        max_sentences=max_sentences,
        max_chars=max_chars,
    )
    spans = tuple(
        span for s in local.spans for span in article.body.source_spans(s.start, s.end, source)
    )
    return Lead(local.text, spans)


def analyse_page(
    raw: str,
    classifier: Any | None,
    *,
    summarise: bool = True,
    max_sentences: int = 0,
    max_chars: int = 0,
) -> list[Analysis]:
    """Split a raw page into articles and analyse each; offsets point into `raw`."""
    from .pages import split_page

    if not raw.strip():
        raise InvalidInput("the page text is empty: give the extracted page text", field="text")
    articles = split_page(raw)
    return analyse_articles(
        articles,
        [raw] * len(articles),
        classifier,
        summarise=summarise,
        max_sentences=max_sentences,
        max_chars=max_chars,
    )


def result_fields(analysis: Analysis, *, labels: bool = True) -> dict[str, Any]:
    """The fields a record gains: `label`, `scores`, `review`, and with a lead `lead`,
    `lead_spans`."""
    out: dict[str, Any] = {}
    if labels and analysis.prediction is not None:
        out["label"] = analysis.prediction.label
        # Through float32, as the wire carries it, so local and --server output agree.
        out["scores"] = {k: round(float(np.float32(v)), 6) for k, v in analysis.prediction.scores}
        out["review"] = analysis.prediction.review
    if analysis.lead is not None:
        out["lead"] = analysis.lead.text
        out["lead_spans"] = [[s.start, s.end] for s in analysis.lead.spans]
    return out


def process_records(
    records: Iterable[Record],
    classifier: Any | None,
    *,
    batch_size: int = 256,
    labels: bool = True,
    summarise: bool = False,
    max_sentences: int = 0,
    max_chars: int = 0,
) -> Iterator[dict[str, Any]]:
    """Yield each record's JSON object with its results added, in input order, batch by batch.

    `labels=False` keeps `label`/`scores` out of the output (the classifier still informs leads).
    """
    batch: list[Record] = []

    def flush() -> Iterator[dict[str, Any]]:
        analyses = analyse_articles(
            [r.article for r in batch],
            [r.data["text"] for r in batch],
            classifier,
            summarise=summarise,
            max_sentences=max_sentences,
            max_chars=max_chars,
        )
        for record, analysis in zip(batch, analyses, strict=True):
            yield {**record.data, **result_fields(analysis, labels=labels)}
        batch.clear()

    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()
