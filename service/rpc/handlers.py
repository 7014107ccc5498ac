"""The service's methods as plain functions of a request message: proto request in, proto
response out, our typed errors raised. No transport here: the gRPC servicer calls them, and
so can any other transport (HTTP/JSON), inside `Boundary.run`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .. import pipeline
from .._proto.newsdesk.v1 import newsdesk_pb2 as pb
from ..decoding import Undecodable
from ..documents import Analysis, Article
from ..errors import InvalidInput, NewsdeskError
from . import messages
from .config import ServerConfig
from .slot import Loaded, ModelSlot
from .status import error_status

__all__ = ["Handlers", "Alive", "CHUNK", "LEAD_CHUNK"]

# Articles per pipeline call inside one request: big enough to vectorise the model, small
# enough that a caller whose deadline passes stops costing us within one chunk. Leads cost
# far more per article than labels, so they go in smaller chunks.
CHUNK = 32
LEAD_CHUNK = 4

# Raises CallerGone (service.rpc.boundary) once the caller has gone; called between chunks.
Alive = Callable[[], None]


def _always() -> None:
    """The `alive` of a caller that cannot go away mid-call."""


class Handlers:
    """Classify, Summarise, AnalysePage and GetModel over the model slot, within the config's
    limits; one batch of a stream at a time for ClassifyStream."""

    def __init__(self, models: ModelSlot, config: ServerConfig) -> None:
        self.models = models
        self.config = config

    def classify(self, request: pb.ClassifyRequest, alive: Alive = _always) -> pb.ClassifyResponse:
        articles, sources = self._articles(request.articles)
        terms = messages.terms(request.explain, request.keywords, request.explain_label)
        model = self.models.get()
        titles = [_heads(m) for m in request.articles]
        analyses = _analyse(
            articles, sources, model, alive, summarise=False, titles=titles, **terms
        )
        return pb.ClassifyResponse(results=[messages.classification(a) for a in analyses])

    def summarise(
        self, request: pb.SummariseRequest, alive: Alive = _always
    ) -> pb.SummariseResponse:
        articles, sources = self._articles(request.articles)
        limits = messages.lead_options(request.options, self.config.max_chars)
        model = self.models.get()
        analyses = _analyse(articles, sources, model, alive, summarise=True, **limits)
        return pb.SummariseResponse(
            results=[messages.summary(a.article.id, a.lead) for a in analyses]
        )

    def analyse_page(
        self, request: pb.AnalysePageRequest, alive: Alive = _always
    ) -> pb.AnalysePageResponse:
        from ..pages import read_page
        from ..validation import check_page

        # (empty first, in the CLI's words: a page is not an article's text)
        text = check_page(request.text, field="text")
        messages.check_text(text, "text", self.config.max_page_chars, "--max-page-chars")
        limits = messages.lead_options(request.options, self.config.max_chars)
        terms = messages.terms(request.explain, request.keywords, request.explain_label)
        model = self.models.get()
        alive()
        page = read_page(text)
        # in chunks, as Summarise: a big page whose caller has gone stops costing us
        sources = [text] * len(page.articles)
        analyses = _analyse(
            page.articles, sources, model, alive, titles=sources, summarise=True, **limits, **terms
        )
        return pb.AnalysePageResponse(
            articles=[messages.page_article(i, a) for i, a in enumerate(analyses)],
            furniture=[pb.Span(start=s.start, end=s.end) for s in page.furniture],
            warnings=list(page.warnings),
        )

    def get_model(self, request: pb.GetModelRequest | None = None) -> pb.ModelInfo:
        info = self.models.get().info
        if self.config.model_path_in_info:  # the operator's folder only when asked for
            return info
        public = pb.ModelInfo()
        public.CopyFrom(info)
        public.ClearField("path")
        return public

    def classify_items(
        self, items: list[Any], terms: dict[str, Any], alive: Alive = _always
    ) -> Iterator[pb.Classification]:
        """Classify one batch of a stream (`terms` from `messages.stream_terms`); an item that
        fails validation, or is no Article at all, answers with its error and fails alone."""
        alive()
        prepared: list[Article | NewsdeskError] = []
        for message in items:
            try:
                if isinstance(message, Undecodable):  # not an Article at all: fails alone
                    raise message.error
                prepared.append(messages.article_from(message, "", self.config.max_chars))
            except InvalidInput as exc:
                prepared.append(exc)
        good = [p for p in prepared if isinstance(p, Article)]
        kept = [m for m, p in zip(items, prepared, strict=True) if isinstance(p, Article)]
        model = self.models.get()  # fetched per batch, so a stream picks up a reloaded model
        analyses = iter(
            pipeline.analyse_articles(
                good,
                [m.text for m in kept],
                model.classifier,
                summarise=False,
                titles=[_heads(m) for m in kept],
                **terms,
            )
            if good
            else []
        )
        for message, item in zip(items, prepared, strict=True):
            if isinstance(item, NewsdeskError):
                yield pb.Classification(id=getattr(message, "id", ""), error=error_status(item))
            else:
                yield messages.classification(next(analyses))

    def _articles(self, items) -> tuple[list[Article], list[str]]:
        return messages.articles_from(
            items, max_articles=self.config.max_articles, max_chars=self.config.max_chars
        )


def _heads(message: pb.Article) -> dict[str, str]:
    """An article's head parts as sent: each term's spans slice its own field."""
    return {"kicker": message.kicker, "title": message.title, "subtitle": message.subtitle}


def _analyse(articles, sources, model: Loaded, alive: Alive, titles=None, **kw) -> list[Analysis]:
    """Run the pipeline chunk by chunk, stopping as soon as the caller has gone."""
    out: list[Analysis] = []
    size = LEAD_CHUNK if kw.get("summarise") else CHUNK
    for start in range(0, len(articles), size):
        alive()
        end = start + size
        out += pipeline.analyse_articles(
            articles[start:end],
            sources[start:end],
            model.classifier,
            titles=titles[start:end] if titles is not None else None,
            **kw,
        )
    return out
