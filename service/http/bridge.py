"""Everything service.http takes from the gRPC server, in one module.

The gRPC server is being split into a package (`service/rpc/`); when it lands, only the imports
and the few attribute reads below change, and no other file of service.http does. The HTTP
front never reaches into the server by any other path.
"""

from __future__ import annotations

import hmac
from typing import Any

import grpc
from google.rpc import status_pb2

from ..errors import NewsdeskError
from ..server import (  # the server pieces the HTTP front shares
    STATUS_CODES,  # our error tree → gRPC code (the most specific class first)
    NewsdeskServer,  # .config, .models (the model slot), .metrics, .lanes, .budget
    NewsDeskServicer,  # the methods: proto request → proto response, validation at entry
    ServerConfig,  # the flags: limits, token, addresses
    error_status,  # our error → google.rpc.Status with BadRequest + ErrorInfo details
)
from ..server import _refused as _server_refused  # counts and rate-limit-logs a refusal
from ..server import log as server_log  # the server's logger (its format and handler)

__all__ = [
    "NewsdeskServer",
    "ServerConfig",
    "budget",
    "grpc_code",
    "lanes",
    "refused",
    "server_log",
    "servicer",
    "status_of",
    "stopping",
    "token_ok",
]


def grpc_code(error: NewsdeskError) -> grpc.StatusCode:
    """The gRPC status code the server answers this error with."""
    return next(code for kind, code in STATUS_CODES.items() if isinstance(error, kind))


def status_of(error: NewsdeskError) -> status_pb2.Status:
    """The google.rpc.Status (with its details) the server sends for this error."""
    return error_status(error)


def servicer(server: NewsdeskServer) -> NewsDeskServicer:
    """The servicer over the server's own model slot and config (it holds no other state)."""
    return NewsDeskServicer(server.models, server.config)


def lanes(server: NewsdeskServer) -> Any:
    """The server's thread lanes: HTTP calls run on the unary lane and count against
    --max-concurrent-rpcs with the gRPC calls (set by the `# http:` hook in create_server)."""
    return getattr(server, "lanes", None)


def budget(server: NewsdeskServer) -> Any:
    """The server's in-flight request-byte budget (--max-inflight-bytes), shared with gRPC."""
    return getattr(server, "budget", None)


def stopping(server: NewsdeskServer) -> bool:
    return bool(getattr(server, "_stopping", False))


def refused(server: NewsdeskServer, method: str, reason: str, message: str) -> None:
    """Count and log a refusal the way the gRPC boundary does."""
    _server_refused(server.metrics, method, reason, message)


def token_ok(config: ServerConfig, header: str | None) -> bool:
    """The gRPC boundary's check, for an HTTP Authorization header: 'Bearer <token>'."""
    if not config.token:
        return True
    if header is None:
        return False
    return hmac.compare_digest(header.encode(), f"Bearer {config.token}".encode())
