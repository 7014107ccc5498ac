"""JSONL records through a server, for the CLI's `--server`: each record's JSON object with
the server's results added as the local run adds them, or the server's error for that record."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput, NewsdeskError
from .client import NewsdeskClient
from .results import Classified

__all__ = ["BATCH", "RemoteResult", "remote_results"]

# Items per unary call when a long input is sent in batches (remote_results).
BATCH = 64
# Request fields (not any one article's) whose refusal ends the run rather than a record.
_REQUEST_FIELDS = ("explain", "keywords", "explain_label")


@dataclass(frozen=True)
class RemoteResult:
    """One record as a server answered it: its JSON object with the results added, or, when
    the server refused it, the object as sent and the refusal (kept apart from the caller's
    own fields, which may well include one named `error`)."""

    data: dict[str, Any]
    error: NewsdeskError | None = None


def remote_results(
    client: NewsdeskClient,
    records: Iterable[Any],
    *,
    classify: bool = True,
    summarise: bool = False,
    max_sentences: int = 0,
    max_chars: int = 0,
    explain: int = 0,
    keywords: int = 0,
    explain_label: str | None = None,
) -> Iterator[RemoteResult]:
    """What `pipeline.process_records` yields, computed by a server, one RemoteResult per
    record in order: `label`/`scores` and/or `lead`/`lead_spans` (and `warnings` when a lead is
    empty) added, or the server's error for that record alone. Classification alone streams;
    leads go in batches of unary calls."""
    if classify and not summarise:
        kept: deque[Any] = deque()

        def tee() -> Iterator[Any]:
            for record in records:
                kept.append(record)
                yield record

        stream = client.classify_stream(
            tee(), explain=explain, keywords=keywords, explain_label=explain_label or ""
        )
        for result in stream:
            data = _data(kept.popleft())
            if result.error is not None:
                yield RemoteResult(data, result.error)
            else:
                out = _labelled(data, result)
                yield RemoteResult(_with_terms(out, result, explain, keywords))
        return
    lead = {"max_sentences": max_sentences, "max_chars": max_chars}
    # Terms come with the labels, as in the local run; without labels none are asked for.
    terms = {"explain": explain, "keywords": keywords, "explain_label": explain_label or ""}
    batch: list[Any] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            yield from _summarise_batch(client, batch, lead, terms if classify else None)
            batch = []
    if batch:
        yield from _summarise_batch(client, batch, lead, terms if classify else None)


def _labelled(out: dict[str, Any], result: Classified) -> dict[str, Any]:
    """`out` with the label fields the local run adds (`pipeline.result_fields`): no
    `review_reasons` unless flagged, nor an earlier run's (`pipeline.record_out`)."""
    out["label"], out["scores"] = result.label, _rounded(result.scores)
    out["review"] = result.review
    if result.review_reasons:
        out["review_reasons"] = list(result.review_reasons)
    else:
        out.pop("review_reasons", None)
    return out


def _with_terms(out: dict[str, Any], result: Classified, explain: int, keywords: int) -> dict:
    """The `evidence`/`keywords` fields the local run adds, when they were asked for."""
    from ..pipeline import terms_fields

    if explain:
        out["evidence"] = terms_fields(result.evidence)
    if keywords:
        out["keywords"] = terms_fields(result.keywords)
    return out


def _data(record: Any) -> dict[str, Any]:
    data = getattr(record, "data", record)
    return dict(data) if isinstance(data, Mapping) else {}


def _rounded(scores: tuple[tuple[str, float], ...]) -> dict[str, float]:
    return {label: round(score, 6) for label, score in scores}


_ALONE = "articles[0]."  # a record asked about alone: its place in a batch of one


def _own(error: InvalidInput) -> InvalidInput:
    """A one-article call's error in the record's own words, as ClassifyStream words it
    (`text has …`, not `articles[0].text has …`, beside the file line the CLI names)."""
    if not error.field.startswith(_ALONE):
        return error
    message = error.message.replace(_ALONE, "", 1)
    return type(error)(message, field=error.field.removeprefix(_ALONE), limit=error.limit)


def _summarise_batch(
    client, batch, lead_options: dict[str, int], terms: dict[str, Any] | None
) -> Iterator[RemoteResult]:
    """Leads (and, with `terms`, labels with their evidence/keywords) for one batch."""
    try:
        leads = client.summarise(batch, **lead_options)
        labels = client.classify(batch, **terms) if terms is not None else [None] * len(batch)
    except InvalidInput as error:
        # A unary call refuses the whole batch for one bad article: ask again one by one,
        # so only that record is refused (as ClassifyStream and the local run do). Bad
        # options are no record's fault: they end the run.
        if error.field.startswith("options.") or error.field in _REQUEST_FIELDS:
            raise
        if len(batch) == 1:
            yield RemoteResult(_data(batch[0]), _own(error))
            return
        for record in batch:
            yield from _summarise_batch(client, [record], lead_options, terms)
        return
    for record, lead, label in zip(batch, leads, labels, strict=True):
        out = _data(record)
        if label is not None:
            _labelled(out, label)
        out["lead"] = lead.lead
        out["lead_spans"] = [list(s) for s in lead.spans]
        if lead.warnings:  # as pipeline.result_fields: only when there are any
            out["warnings"] = list(lead.warnings)
        else:
            out.pop("warnings", None)
        if label is not None:
            _with_terms(out, label, terms["explain"], terms["keywords"])
        yield RemoteResult(out)
