"""Everything service.http takes from the gRPC server (service.rpc), in one module: the HTTP
front never reaches into the server by any other path."""

from __future__ import annotations

from typing import Any

import grpc
from google.rpc import status_pb2

from ..errors import NewsdeskError
from ..rpc.boundary import NO_TOKEN, note_of, over_call_limit, request_id  # the log's words
from ..rpc.config import ServerConfig  # the flags: limits, token, addresses
from ..rpc.metrics import log as server_log  # the server's logger (its format and handler)
from ..rpc.server import NewsdeskServer  # .config, .handlers, .boundary, .metrics, .lanes, .budget
from ..rpc.servicer import NewsDeskServicer  # proto request → proto response, as over gRPC
from ..rpc.status import error_status, status_code  # our error → code, google.rpc.Status

__all__ = [
    "NO_TOKEN",
    "NewsdeskServer",
    "ServerConfig",
    "budget",
    "grpc_code",
    "lanes",
    "note_of",
    "over_call_limit",
    "refused",
    "request_id",
    "server_log",
    "servicer",
    "status_of",
    "stopping",
    "token_ok",
]


def grpc_code(error: NewsdeskError) -> grpc.StatusCode:
    """The gRPC status code the server answers this error with."""
    return status_code(error)


def status_of(error: NewsdeskError) -> status_pb2.Status:
    """The google.rpc.Status (with its details) the server sends for this error."""
    return error_status(error)


def servicer(server: NewsdeskServer) -> NewsDeskServicer:
    """The servicer over the server's own handlers (model slot, config; no other state)."""
    return NewsDeskServicer(server.handlers)


def lanes(server: NewsdeskServer) -> Any:
    """The server's thread lanes: HTTP calls run on the unary lane and count against
    --max-concurrent-rpcs with the gRPC calls."""
    return server.lanes


def budget(server: NewsdeskServer) -> Any:
    """The server's in-flight request-byte budget (--max-inflight-bytes), shared with gRPC."""
    return server.budget


def stopping(server: NewsdeskServer) -> bool:
    return bool(server.metrics.stopping)


def refused(server: NewsdeskServer, method: str, reason: str, message: str, **fields) -> None:
    """Count and log a refusal the way the gRPC boundary does (`fields`: peer, request_id)."""
    server.metrics.refused(method, reason, message, **fields)


def token_ok(server: NewsdeskServer, header: str | None) -> bool:
    """The gRPC boundary's own check, for an HTTP Authorization header: 'Bearer <token>'."""
    return server.boundary.authorized(header)
