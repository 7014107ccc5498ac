"""Requests decoded in our code, so a message that is not valid protobuf is the caller's error.

gRPC decodes a request with the handler's `request_deserializer` before our code runs; when that
fails the call ends `INTERNAL "Exception deserializing request!"`, with no log line, no metric,
and in a stream every item after the bad one lost. `decoding(handler, ...)` gives the handler an
identity deserializer (gRPC hands over the raw bytes) and decodes them inside the behaviour:

- a bad unary request raises `InvalidInput`, which the call guard maps to INVALID_ARGUMENT,
  logs and counts like any other bad input;
- a bad item of a request stream becomes an `Undecodable` item when the method answers item by
  item (`ClassifyStream` answers it with its own error result), else `InvalidInput` ends the
  stream with INVALID_ARGUMENT.

A request larger than `max_bytes` is refused here too (`Refused`, RESOURCE_EXHAUSTED, counted):
gRPC's own transport limit sits above it as a backstop, and what it refuses never reaches our
code. So is one that does not fit the server's in-flight byte `Budget`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput, NewsdeskError, Refused
from .limits import Budget

__all__ = ["Undecodable", "decoding", "decode"]


@dataclass(frozen=True)
class Undecodable:
    """A stream item that was refused before decoding or failed to decode; `error` says why."""

    index: int
    error: NewsdeskError


def decode(raw: Any, deserialize: Callable[[bytes], Any], name: str, max_bytes: int, where: str):
    """One message from its bytes; raises InvalidInput / Refused naming `where` and the type."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        return raw  # already decoded (an in-process caller)
    if max_bytes and len(raw) > max_bytes:
        raise Refused(
            f"{where} is {len(raw)} bytes, over the server's limit of {max_bytes} "
            "(--max-message-bytes): split it over several requests",
            reason="size",
            limit=max_bytes,
        )
    try:
        return deserialize(bytes(raw))
    except Exception as exc:  # noqa: BLE001 - protobuf's DecodeError, or a deserializer's own
        raise InvalidInput(
            f"{where} is not a valid {name} message ({type(exc).__name__}: "
            f"{str(exc)[:200] or 'undecodable'}): check the client's stubs and encoding",
            field="request",
        ) from None


@dataclass
class _Ledger:
    """The bytes a stream's items hold in the budget, released as their answers go out."""

    budget: Budget | None
    costs: list[int]

    def take(self, n: int, where: str) -> None:
        if self.budget is not None:
            self.budget.take(n, where)
        self.costs.append(n)

    def settle_one(self) -> None:
        if self.costs:
            n = self.costs.pop(0)
            if self.budget is not None:
                self.budget.give(n)

    def close(self) -> None:
        while self.costs:
            self.settle_one()


def _decode_stream(
    raws: Iterable[Any],
    decode_one: Callable[[Any, str], Any],
    ledger: _Ledger | None,
    on_bad: Callable[[NewsdeskError], None],
) -> Iterator[Any]:
    """Decode a request stream; with a ledger (item-wise methods) a bad item fails alone."""
    for index, raw in enumerate(raws):
        where = f"stream item {index}"
        size = len(raw) if isinstance(raw, bytes | bytearray | memoryview) else 0
        try:
            if ledger is not None:
                try:
                    ledger.take(size, where)
                except Refused:
                    ledger.costs.append(0)  # its answer (the refusal) still settles one
                    raise
            yield decode_one(raw, where)
        except (InvalidInput, Refused) as exc:
            on_bad(exc)
            if ledger is None:
                raise
            yield Undecodable(index, exc)


def decoding(
    handler: Any,
    *,
    max_bytes: int,
    itemwise: bool,
    on_bad: Callable[[NewsdeskError], None],
    budget: Budget | None = None,
) -> Any:
    """The same RPC handler, with its requests decoded in our code (see the module doc).

    With a `budget`, a unary request's bytes are held in it while the call runs, and an
    item-wise stream's items until their answers have gone out (one answer per item, in order).
    """
    deserialize = handler.request_deserializer
    if deserialize is None:
        return handler
    name = _type_name(deserialize)
    kind = _kind(handler)
    behaviour = getattr(handler, kind)

    def decode_one(raw: Any, where: str) -> Any:
        return decode(raw, deserialize, name, max_bytes, where)

    if handler.request_streaming:

        def streamed(raws, context):
            if not itemwise:
                return behaviour(_decode_stream(raws, decode_one, None, on_bad), context)
            ledger = _Ledger(budget, [])
            answers = behaviour(_decode_stream(raws, decode_one, ledger, on_bad), context)
            return _settling(answers, ledger)

        new = streamed
    else:

        def single(raw, context):
            size = len(raw) if isinstance(raw, bytes | bytearray | memoryview) else 0
            taken = False
            try:
                if max_bytes and size > max_bytes:
                    decode_one(raw, "the request")  # raises the size refusal
                if budget is not None:  # before decoding: a refused request costs nothing more
                    budget.take(size, "the request")
                    taken = True
                request = decode_one(raw, "the request")
            except NewsdeskError as exc:
                if taken:
                    budget.give(size)
                on_bad(exc)
                raise
            try:
                return behaviour(request, context)
            finally:
                if budget is not None:
                    budget.give(size)

        new = single
    return handler._replace(request_deserializer=None, **{kind: new})


def _settling(answers: Iterable[Any], ledger: _Ledger) -> Iterator[Any]:
    try:
        for answer in answers:
            ledger.settle_one()
            yield answer
    finally:
        ledger.close()


def _kind(handler: Any) -> str:
    if handler.request_streaming:
        return "stream_stream" if handler.response_streaming else "stream_unary"
    return "unary_stream" if handler.response_streaming else "unary_unary"


def _type_name(deserialize: Callable[[bytes], Any]) -> str:
    """`newsdesk.v1.ClassifyRequest` from `ClassifyRequest.FromString`, else a plain word."""
    owner = getattr(deserialize, "__self__", None)
    descriptor = getattr(owner, "DESCRIPTOR", None)
    return getattr(descriptor, "full_name", None) or "request"
