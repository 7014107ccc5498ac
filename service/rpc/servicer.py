"""The newsdesk.v1 gRPC servicer: each method hands its request to `Handlers`, with the
call's liveness check; ClassifyStream adds the stream plumbing."""

from __future__ import annotations

from functools import partial

from .._proto.newsdesk.v1 import newsdesk_pb2 as pb
from .._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from . import messages, streams
from .handlers import Handlers

__all__ = ["SERVICE_NAME", "ITEMWISE", "NewsDeskServicer"]

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["NewsDesk"].full_name

# Methods whose request stream is answered item by item: an undecodable item fails alone.
ITEMWISE = frozenset({f"/{SERVICE_NAME}/ClassifyStream"})


class NewsDeskServicer(pb_grpc.NewsDeskServicer):
    """newsdesk.v1 over gRPC: the work is in `Handlers`; errors map at the interceptor."""

    def __init__(self, handlers: Handlers) -> None:
        self.handlers = handlers

    def Classify(self, request, context):
        return self.handlers.classify(request, partial(streams.alive, context))

    def Summarise(self, request, context):
        return self.handlers.summarise(request, partial(streams.alive, context))

    def AnalysePage(self, request, context):
        return self.handlers.analyse_page(request, partial(streams.alive, context))

    def ClassifyStream(self, request_iterator, context):
        terms = messages.stream_terms(context.invocation_metadata())
        if terms["explain_label"] is not None:  # named by its metadata key, as the stream opens
            messages.check_stream_label(terms, self.handlers.models.get().classifier.labels)
        alive = partial(streams.alive, context)
        batches = streams.batches(request_iterator, context, streams.STREAM_CHUNK)
        answers = (list(self.handlers.classify_items(b, terms, alive)) for b in batches)
        for answer in streams.ahead(answers, context):
            yield from answer

    def GetModel(self, request, context):
        return self.handlers.get_model(request)
