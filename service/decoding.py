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

A request larger than `max_bytes` is refused here too (RESOURCE_EXHAUSTED, counted): gRPC's own
transport limit sits above it as a backstop, and what it refuses never reaches our code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput, NewsdeskError

__all__ = ["Undecodable", "TooLarge", "decoding", "decode"]


class TooLarge(NewsdeskError):
    """A request message over the server's size limit (RESOURCE_EXHAUSTED)."""


@dataclass(frozen=True)
class Undecodable:
    """A stream item that was not a valid message; `error` says why, `index` where."""

    index: int
    error: InvalidInput


def decode(raw: Any, deserialize: Callable[[bytes], Any], name: str, max_bytes: int, where: str):
    """One message from its bytes; raises InvalidInput / TooLarge naming `where` and the type."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        return raw  # already decoded (an in-process caller)
    if max_bytes and len(raw) > max_bytes:
        raise TooLarge(
            f"{where} is {len(raw)} bytes, over the server's limit of {max_bytes} "
            "(--max-message-bytes): split it over several requests",
            field="request",
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


def _decode_stream(
    raws: Iterable[Any],
    deserialize: Callable[[bytes], Any],
    name: str,
    max_bytes: int,
    itemwise: bool,
    on_bad: Callable[[NewsdeskError], None],
) -> Iterator[Any]:
    for index, raw in enumerate(raws):
        try:
            yield decode(raw, deserialize, name, max_bytes, f"stream item {index}")
        except (InvalidInput, TooLarge) as exc:
            on_bad(exc)
            if not itemwise:
                raise
            yield Undecodable(index, exc if isinstance(exc, InvalidInput) else _as_input(exc))


def _as_input(exc: NewsdeskError) -> InvalidInput:
    return InvalidInput(exc.message, field=exc.field, limit=exc.limit)


def decoding(
    handler: Any,
    *,
    max_bytes: int,
    itemwise: bool,
    on_bad: Callable[[NewsdeskError], None],
) -> Any:
    """The same RPC handler, with its requests decoded in our code (see the module doc)."""
    deserialize = handler.request_deserializer
    if deserialize is None:
        return handler
    name = _type_name(deserialize)
    kind = _kind(handler)
    behaviour = getattr(handler, kind)
    if handler.request_streaming:

        def streamed(raws, context):
            requests = _decode_stream(raws, deserialize, name, max_bytes, itemwise, on_bad)
            return behaviour(requests, context)

        new = streamed
    else:

        def single(raw, context):
            try:
                request = decode(raw, deserialize, name, max_bytes, "the request")
            except NewsdeskError as exc:
                on_bad(exc)
                raise
            return behaviour(request, context)

        new = single
    return handler._replace(request_deserializer=None, **{kind: new})


def _kind(handler: Any) -> str:
    if handler.request_streaming:
        return "stream_stream" if handler.response_streaming else "stream_unary"
    return "unary_stream" if handler.response_streaming else "unary_unary"


def _type_name(deserialize: Callable[[bytes], Any]) -> str:
    """`newsdesk.v1.ClassifyRequest` from `ClassifyRequest.FromString`, else a plain word."""
    owner = getattr(deserialize, "__self__", None)
    descriptor = getattr(owner, "DESCRIPTOR", None)
    return getattr(descriptor, "full_name", None) or "request"
