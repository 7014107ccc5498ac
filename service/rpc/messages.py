"""newsdesk.v1 messages ⇄ domain objects, on the server's side: requests validated into
`Article`s and options at entry, analyses written back as responses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .. import validation
from .._proto.newsdesk.v1 import newsdesk_pb2 as pb
from ..documents import Analysis, Article, Lead, Term
from ..errors import InvalidInput
from ..validation import MAX_LEAD_SENTENCES  # a caller asking for more wants the article
from .wire import HEADLINE_PARTS, STREAM_TERMS

__all__ = [
    "articles_from",
    "article_from",
    "check_text",
    "lead_options",
    "terms",
    "stream_terms",
    "check_stream_label",
    "classification",
    "summary",
    "page_article",
]

# -- requests → domain, validated ------------------------------------------------------------


def articles_from(
    messages: Sequence[pb.Article], *, max_articles: int, max_chars: int
) -> tuple[list[Article], list[str]]:
    """Validate a request's articles and build domain articles (offsets into each text)."""
    if not messages:
        raise InvalidInput("no articles: send at least one", field="articles")
    if len(messages) > max_articles:
        raise InvalidInput(
            f"{len(messages)} articles in one request, over the limit of {max_articles}: split "
            "them over several requests (for labels alone, the gRPC ClassifyStream takes any "
            "number; HTTP has no stream)",
            field="articles",
            limit=max_articles,
        )
    articles = [article_from(m, f"articles[{i}]", max_chars) for i, m in enumerate(messages)]
    return articles, [m.text for m in messages]


def article_from(message: pb.Article, where: str, max_chars: int) -> Article:
    """One article, validated; `where` prefixes field names ("articles[3]", "" in a stream)."""
    from ..html_text import plain_title
    from ..text import single_article

    prefix = f"{where}." if where else ""
    text = check_text(message.text, f"{prefix}text", max_chars)
    if len(message.title) > max_chars:
        raise InvalidInput(
            f"{prefix}title has {len(message.title)} characters, over the limit of "
            f"{max_chars}: send the headline only",
            field=f"{prefix}title",
            limit=max_chars,
        )
    for name in HEADLINE_PARTS:  # headline parts: the title's limit holds for each
        if len(getattr(message, name)) > max_chars:
            raise InvalidInput(
                f"{prefix}{name} has {len(getattr(message, name))} characters, over the "
                f"limit of {max_chars}: send the {name} line only",
                field=f"{prefix}{name}",
                limit=max_chars,
            )
    article = single_article(message.title, text, id=message.id, field=f"{prefix}text")
    kicker, subtitle = (plain_title(message.kicker).strip(), plain_title(message.subtitle).strip())
    return replace(article, kicker=kicker, subtitle=subtitle)  # (HTML out, as the title's)


def check_text(text: str, field: str, limit: int, flag: str = "--max-chars") -> str:
    """A text that is neither blank nor over `limit` code points (the rule: validation);
    `flag` is the server option that sets the limit, named in the message."""
    return validation.check_text(
        text,
        field=field,
        limit=limit,
        empty="send the article's text",
        over=f"split it, or raise the server's limit ({flag})",
    )


def lead_options(options: pb.SummaryOptions, max_chars: int) -> dict[str, int]:
    """A request's lead options, checked against the lead cap and the server's text limit."""
    for name, limit in (("max_sentences", MAX_LEAD_SENTENCES), ("max_chars", max_chars)):
        value = getattr(options, name)
        if value > limit:
            raise InvalidInput(
                f"options.{name} is {value}, over the limit of {limit}: ask for a shorter "
                "lead, or 0 for the default",
                field=f"options.{name}",
                limit=limit,
            )
    return {"max_sentences": options.max_sentences, "max_chars": options.max_chars}


def terms(
    explain: int, keywords: int, label: str, names: tuple[str, str] = ("explain", "explain_label")
) -> dict[str, Any]:
    """Evidence and keyword options of a request, checked; an empty label means the predicted.
    `names`: what the caller called explain and explain_label (a stream's metadata keys)."""
    if label and not explain:
        # It picks whose evidence `explain` lists; alone it would be dropped without a word
        # (the CLI's --explain-label without --explain is a usage error for the same reason).
        raise InvalidInput(
            f"{names[1]} {label!r} needs {names[0]} > 0: it chooses the label whose evidence "
            f"{names[0]} lists, and no evidence was asked for",
            field=names[1],
        )
    return {
        "explain": validation.check_terms("explain", explain),
        "keywords": validation.check_terms("keywords", keywords),
        "explain_label": label or None,
    }


_STREAM_KEYS = frozenset(key for key, _ in STREAM_TERMS)


def stream_terms(metadata: Sequence[tuple[str, Any]] | None) -> dict[str, Any]:
    """`terms` from a stream's call metadata (a count that is not a whole number is refused)."""
    given: dict[str, str] = {}
    for key, value in metadata or ():
        if isinstance(value, str) and given.setdefault(key, value) != value and key in _STREAM_KEYS:
            # (a dict of them read the last in silence, as a JSON key twice once was over HTTP)
            raise InvalidInput(
                f"{key} is given twice ({given[key]!r} and {value!r}): send it once", field=key
            )
    values: dict[str, Any] = {"explain": 0, "keywords": 0, "explain_label": ""}
    for key, name in STREAM_TERMS:
        raw = given.get(key)
        if raw is None:
            continue
        if name == "explain_label":
            values[name] = raw
        elif raw.strip().isdigit():
            # checked here, under the key the caller sent: a stream has no `explain` field
            values[name] = validation.check_terms(key, int(raw))
        else:
            raise InvalidInput(
                f"metadata {key} must be a whole number from 0 (off) to {validation.MAX_TERMS}, "
                f"got {raw!r}",
                field=key,
            )
    names = (STREAM_TERMS[0][0], STREAM_TERMS[2][0])  # newsdesk-explain, newsdesk-explain-label
    return terms(values["explain"], values["keywords"], values["explain_label"], names)


def check_stream_label(terms: dict[str, Any], labels: Sequence[str]) -> None:
    """A stream's explain label, checked against the model when the stream opens and named by
    its metadata key (the pipeline's own check, per batch, names `explain_label`)."""
    validation.check_label(terms["explain_label"], labels, STREAM_TERMS[2][0])


# -- domain → responses ----------------------------------------------------------------------


def classification(analysis: Analysis) -> pb.Classification:
    prediction = analysis.prediction
    return pb.Classification(
        id=analysis.article.id,
        label=prediction.label,
        scores=[pb.LabelScore(label=k, score=v) for k, v in prediction.scores],
        evidence=[
            pb.Evidence(term=t.text, weight=t.weight, field=t.field, spans=_spans(t), label=t.label)
            for t in analysis.evidence or ()
        ],
        keywords=[
            pb.Keyword(term=t.text, weight=t.weight, field=t.field, spans=_spans(t))
            for t in analysis.keywords or ()
        ],
        review=prediction.review,
        review_reasons=prediction.review_reasons,
    )


def _spans(term: Term) -> list[pb.Span]:
    return [pb.Span(start=s.start, end=s.end) for s in term.spans]


def summary(article_id: str, lead: Lead | None) -> pb.Summary:
    if lead is None:
        return pb.Summary(id=article_id)
    spans = [pb.Span(start=s.start, end=s.end) for s in lead.spans]
    # An empty lead says why, as the local run's `warnings` does.
    return pb.Summary(id=article_id, lead=lead.text, spans=spans, warnings=list(lead.warnings))


def page_article(index: int, analysis: Analysis) -> pb.PageArticle:
    a = analysis.article
    found = classification(analysis) if analysis.prediction is not None else None
    if found is not None:
        found.id = str(index)
    return pb.PageArticle(
        title=a.title,
        kicker=a.kicker,
        subtitle=a.subtitle,
        byline=a.byline,
        dateline=a.dateline,
        continues=a.continues,
        text=a.text,
        span=pb.Span(start=a.start, end=a.end),
        classification=found,
        summary=summary(str(index), analysis.lead),
        warnings=list(analysis.warnings),
    )
