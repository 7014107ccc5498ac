"""One text pipeline for every entry point: records or pages in, labels and leads out.

The CLI, the gRPC server and the batch runner all call these functions, so an article is
prepared, classified and summarised the same way whichever door it came in by.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .documents import Analysis, Article, Lead
from .gcpause import collector_paused
from .model import headline
from .termjson import term_fields, terms_fields

# The record checks and limits live in service.validation; kept importable from here.
from .validation import MAX_RECORD_CHARS as MAX_TEXT_CHARS
from .validation import MAX_TERMS, Record, check_label, check_page, check_terms, parse_record

__all__ = [
    "MAX_TEXT_CHARS",
    "MAX_TERMS",
    "Record",
    "check_terms",
    "parse_record",
    "analyse_articles",
    "analyse_page",
    "page_fields",
    "page_lines",
    "desk_item",
    "result_fields",
    "term_fields",
    "terms_fields",
    "process_records",
    "record_lines",
    "labelled_lines",
    "batches",
]


def analyse_articles(
    articles: Sequence[Article],
    sources: Sequence[str],
    classifier: Any | None,
    *,
    summarise: bool = True,
    max_sentences: int = 0,
    max_chars: int = 0,
    explain: int = 0,
    keywords: int = 0,
    titles: Sequence[str | dict[str, str]] | None = None,
    explain_label: str | None = None,
) -> list[Analysis]:
    """Classify a batch in one model call, then write each lead with offsets into its source.

    `sources[i]` is the text that `articles[i]`'s offsets point into (the page, or the
    caller's article text); `titles[i]` the text its head's spans point into (the page, or
    the caller's `kicker`/`title`/`subtitle` by name; default: the article's own).
    `explain`/`keywords`: how many evidence terms (for the predicted label, or
    `explain_label`) and keywords to add (0 = none).
    """
    analyses, _ = _analysed(
        articles, sources, classifier, summarise, max_sentences, max_chars,
        explain, keywords, titles, explain_label, render=False,
    )  # fmt: skip
    return analyses


def _analysed(
    articles, sources, classifier, summarise, max_sentences, max_chars,
    explain, keywords, titles, explain_label, *, render: bool,
) -> tuple[list[Analysis], list[tuple[Any, Any]]]:  # fmt: skip
    """`analyse_articles`, and per article its (evidence, keywords); with `render` these are
    their JSON texts and stay out of the Analyses (None where not asked for)."""
    terms: list = [(None, None)] * len(articles)
    if (explain or keywords) and classifier is not None and articles:
        # One pass gives the labels and what explains them (the same numbers as predict).
        with collector_paused():  # its objects die with the call: nothing for gc to find
            predictions, terms = _terms(
                articles, titles, sources, classifier, explain, keywords, explain_label, render
            )
    elif classifier is not None and articles:
        predictions = classifier.predict([desk_item(a) for a in articles])
    else:
        predictions = [None] * len(articles)
    leads = [None] * len(articles)
    if summarise:
        leads = _leads(articles, sources, predictions, max_sentences, max_chars)
    out = []
    for article, prediction, lead, (evidence, words) in zip(
        articles, predictions, leads, terms, strict=True
    ):
        out.append(
            Analysis(
                article,
                prediction,
                lead,
                lead.warnings if lead else (),
                evidence=None if render else evidence,
                keywords=None if render else words,
            )
        )
    return out, terms


def _terms(articles, titles, sources, classifier, explain, keywords, label, render=False):
    """Predictions, and (evidence, keywords) per article (None for what was not asked for)."""
    from .evidence import attribute, evidence_all, featurize
    from .keywords import keywords_all
    from .reading import WordBatch, read_all

    check_label(label, classifier.labels, "explain_label")
    model = classifier.pipeline
    if titles is None:
        titles = [None] * len(articles)
    readings = read_all(model, articles, titles, sources, whole=keywords > 0)
    features = featurize(model, readings)
    items = [desk_item(a) for a in articles]
    predictions = classifier.predict_scores(model.scores_of(features.terms), items)
    found: list = [None] * len(articles)
    batch = WordBatch.of(readings)  # the words of the batch, counted once for both
    if explain:
        wanted = [classifier.labels.index(label or p.label) for p in predictions]
        parts = attribute(model, readings, wanted, features)
        found = evidence_all(readings, parts, explain, batch, render)
    words = [None] * len(readings)
    if keywords:
        words = keywords_all(readings, model, keywords, batch, render)
    return predictions, list(zip(found, words, strict=True))


def desk_item(article: Article) -> tuple[str, str]:
    """The (title, body) pair the classifier reads: kicker and subtitle join the title line."""
    return (headline(article.title, article.kicker, article.subtitle), article.text)


NO_BODY = (
    "no lead: the article has no body text (only a title, or a dateline, byline or page "
    "furniture, which are never a lead)"
)


def _leads(articles, sources, predictions, max_sentences: int, max_chars: int) -> list[Lead]:
    """Each article's lead, written for the batch at once, its spans offsets into its source."""
    from .summariser import leads

    bodied = [a.text.strip() != "" for a in articles]  # a head alone has no lead to write
    written = iter(
        leads(
            [
                (a.text, a.title, p.label if p is not None else None)
                for a, p, body in zip(articles, predictions, bodied, strict=True)
                if body
            ],
            max_sentences=max_sentences,
            max_chars=max_chars,
        )
    )
    out = []
    for article, source, body in zip(articles, sources, bodied, strict=True):
        if not body:  # say so, as every empty lead does
            out.append(Lead("", (), (NO_BODY,)))
            continue
        local = next(written)
        body_spans = article.body.source_spans
        spans = tuple(span for s in local.spans for span in body_spans(s.start, s.end, source))
        out.append(Lead(local.text, spans, local.warnings))
    return out


def analyse_page(
    raw: str,
    classifier: Any | None,
    *,
    summarise: bool = True,
    max_sentences: int = 0,
    max_chars: int = 0,
    explain: int = 0,
    keywords: int = 0,
    explain_label: str | None = None,
) -> list[Analysis]:
    """Split a raw page into articles and analyse each; offsets point into `raw`."""
    from .pages import split_page

    check_page(raw, field="text")
    articles = split_page(raw)
    return analyse_articles(
        articles,
        [raw] * len(articles),
        classifier,
        summarise=summarise,
        max_sentences=max_sentences,
        max_chars=max_chars,
        explain=explain,
        keywords=keywords,
        titles=[raw] * len(articles),
        explain_label=explain_label,
    )


def page_fields(analysis: Analysis) -> dict[str, Any]:
    """One article of a page as `newsdesk analyse --json` writes it: the article's fields, its
    results; start/end and lead_spans are code points of the page, as AnalysePage's."""
    from .documents import article_record

    return {**article_record(analysis.article), **result_fields(analysis), "offsets_into": "page"}


def page_lines(
    pages: Sequence[Any], splits: Sequence[Any], classifier: Any | None, **options: Any
) -> list[list[tuple[str | None, str, bool]]]:
    """Per page (a `validation.Page`, split into `splits[i]`, its `pages.read_page`), the
    (label, line, whether its lead is empty because no whole sentence fits) of each article,
    as `labelled_lines` gives a record's: the line is `page_fields` (analyse --json's object)
    after `page_id` (the page's id), `article` (1, 2, …) and, on a page with any,
    `page_warnings` (`Page.warnings`). Every page's articles are analysed in one call, as a
    chunk of records is (offsets and heads into their own page, as `analyse_page` gives)."""
    from .summariser import no_fit

    articles = [a for split in splits for a in split.articles]
    sources = [page.text for page, split in zip(pages, splits, strict=True) for _ in split.articles]
    analyses = iter(analyse_articles(articles, sources, classifier, titles=sources, **options))
    out = []
    for page, split in zip(pages, splits, strict=True):
        said = {"page_warnings": list(split.warnings)} if split.warnings else {}
        lines = []
        for i, a in enumerate((next(analyses) for _ in split.articles), start=1):
            fields = {"page_id": page.id, "article": i, **said, **page_fields(a)}
            unfit = a.lead is not None and no_fit(a.lead.warnings)
            label = a.prediction.label if a.prediction is not None else None
            lines.append((label, json.dumps(fields, ensure_ascii=False), unfit))
        out.append(lines)
    return out


def result_fields(analysis: Analysis, *, labels: bool = True) -> dict[str, Any]:
    """The fields a record gains: `label`, `scores`, `review` (`review_reasons` when it is
    set); with a lead `lead`, `lead_spans` and `warnings` when there are any (an empty lead says
    why); `evidence` and `keywords` when asked for."""
    out: dict[str, Any] = {}
    if labels and analysis.prediction is not None:
        out["label"] = analysis.prediction.label
        # Through float32, as the wire carries it, so local and --server output agree.
        out["scores"] = {k: round(float(np.float32(v)), 6) for k, v in analysis.prediction.scores}
        out["review"] = analysis.prediction.review
        if analysis.prediction.review_reasons:  # only on flagged results, as `warnings`
            out["review_reasons"] = list(analysis.prediction.review_reasons)
    if analysis.lead is not None:
        out["lead"] = analysis.lead.text
        out["lead_spans"] = [[s.start, s.end] for s in analysis.lead.spans]
    if analysis.warnings:  # e.g. why a lead is empty: no whole sentence fits
        out["warnings"] = list(analysis.warnings)
    if analysis.evidence is not None:
        out["evidence"] = terms_fields(analysis.evidence)
    if analysis.keywords is not None:
        out["keywords"] = terms_fields(analysis.keywords)
    return out


def record_out(data: dict[str, Any], analysis: Analysis, labels: bool) -> dict[str, Any]:
    """A record with its results. Ours replace the caller's fields of those names, and a
    `review_reasons` or `warnings` the result leaves out (nothing to say) goes too: an earlier
    run's, in its output read again, read as this run's (`review: false` beside
    `review_reasons`, a lead beside why there was none)."""
    out = {**data, **result_fields(analysis, labels=labels)}
    if labels and analysis.prediction is not None and not analysis.prediction.review_reasons:
        out.pop("review_reasons", None)
    if analysis.lead is not None and not analysis.warnings:
        out.pop("warnings", None)
    return out


def _title(record: Record) -> dict[str, str]:
    """The head parts as the caller sent them: each term's spans slice its own field."""
    parts = {name: record.data.get(name) for name in ("kicker", "title", "subtitle")}
    return {name: part if isinstance(part, str) else "" for name, part in parts.items()}


# A batch of records also closes at this many characters of text, whoever runs it (`classify`'s
# workers, `batch`'s shards): 256 records near the 1,000,000-character limit held ~5 GB at once
# (~18 bytes a character in flight); real articles fill 256 records far below it.
BATCH_CHARS = 1 << 22


def batches(records: Iterable[Record], size: int, chars: int = 0) -> Iterator[list[Record]]:
    """Runs of `size` records; with `chars`, a run also closes once its texts hold that many
    characters (a record longer than it goes alone)."""
    batch: list[Record] = []
    held = 0
    for record in records:
        batch.append(record)
        held += len(record.data["text"])
        if len(batch) >= size or (chars and held >= chars):
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _analysed_records(batch: list[Record], classifier, options: dict, render: bool):
    return _analysed(
        [r.article for r in batch],
        [r.data["text"] for r in batch],
        classifier,
        options["summarise"],
        options["max_sentences"],
        options["max_chars"],
        options["explain"],
        options["keywords"],
        [_title(r) for r in batch],
        options["explain_label"],
        render=render,
    )


def process_records(
    records: Iterable[Record],
    classifier: Any | None,
    *,
    batch_size: int = 256,
    labels: bool = True,
    summarise: bool = False,
    max_sentences: int = 0,
    max_chars: int = 0,
    explain: int = 0,
    keywords: int = 0,
    explain_label: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield each record's JSON object with its results added, in input order, batch by batch.

    `labels=False` keeps `label`/`scores` out of the output (the classifier still informs leads).
    """
    options = dict(summarise=summarise, max_sentences=max_sentences, max_chars=max_chars,
                   explain=explain, keywords=keywords, explain_label=explain_label)  # fmt: skip
    for batch in batches(records, batch_size):
        analyses, _ = _analysed_records(batch, classifier, options, render=False)
        for record, analysis in zip(batch, analyses, strict=True):
            yield record_out(record.data, analysis, labels)


def record_lines(
    records: Iterable[Record], classifier: Any | None, **options: Any
) -> Iterator[str]:
    """`json.dumps(r, ensure_ascii=False)` of each object `process_records` yields, with the
    evidence and keywords written as text from the batch's arrays (`termjson`), not as Terms;
    `options` are `labelled_lines`' own."""
    for _, line, _ in labelled_lines(records, classifier, **options):
        yield line


def labelled_lines(
    records: Iterable[Record],
    classifier: Any | None,
    *,
    batch_size: int = 256,
    labels: bool = True,
    summarise: bool = False,
    max_sentences: int = 0,
    max_chars: int = 0,
    explain: int = 0,
    keywords: int = 0,
    explain_label: str | None = None,
    batch_chars: int = BATCH_CHARS,
) -> Iterator[tuple[str | None, str, bool]]:
    """(the model's label or None, the `record_lines` line, whether its lead is empty because
    no whole sentence fits: `summariser.no_fit`) of each record, in input order: for a caller
    that counts labels and empty leads (`newsdesk batch`, the workers) without reading its
    lines back. `batch_chars`: a batch also closes at that many characters of text."""
    from .summariser import no_fit

    options = dict(summarise=summarise, max_sentences=max_sentences, max_chars=max_chars,
                   explain=explain, keywords=keywords, explain_label=explain_label)  # fmt: skip
    for batch in batches(records, batch_size, batch_chars):
        analyses, terms = _analysed_records(batch, classifier, options, render=True)
        for record, analysis, found in zip(batch, analyses, terms, strict=True):
            data = record_out(record.data, analysis, labels)
            line = _with_texts(data, (("evidence", found[0]), ("keywords", found[1])))
            prediction = analysis.prediction
            unfit = analysis.lead is not None and no_fit(analysis.lead.warnings)
            yield (prediction.label if labels and prediction is not None else None), line, unfit


def _with_texts(data: dict[str, Any], texts) -> str:
    """`data` as JSON with the fields `texts` (name, JSON text or None) added last, as
    `{**data, name: value}` would place them."""
    texts = [(name, text) for name, text in texts if text is not None]
    if not data or any(name in data for name, _ in texts):  # a field of the caller's own
        for name, text in texts:  # keeps its place: the slow way (loads gives the same JSON)
            data[name] = json.loads(text)
        return json.dumps(data, ensure_ascii=False)
    line = json.dumps(data, ensure_ascii=False)
    return line[:-1] + "".join(f', "{name}": {text}' for name, text in texts) + "}"
