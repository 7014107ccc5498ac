"""newsdesk.v1 over gRPC: the server (by topic, one module each) and the client beside it.

    config       ServerConfig and the one table of serve flags ⇄ NEWSDESK_* env ⇄ defaults
    status       our errors ⇄ gRPC status codes and google.rpc details, both ways
    messages     proto ⇄ domain on the server's side; wire: the conventions both sides share
    handlers     each method as a plain function: proto request → proto response
    boundary     token, metrics, log and error → status for one call, any transport
    interceptor  the same boundary for gRPC calls (decoding, lanes, concurrency limit)
    servicer     the gRPC servicer; streams: ClassifyStream's plumbing
    slot         the model slot (load, check, warm, swap); metrics: Prometheus
    server       NewsdeskServer, create_server; process: serve, logging, `python -m service.rpc`
    client       NewsdeskClient; results: what it returns; records: JSONL through a server

Names below load their module on first use, so importing one part (the client, the flags)
does not import the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "SERVICE_NAME",
    "STATUS_CODES",
    "ServerConfig",
    "add_serve_arguments",
    "config_from_args",
    "NewsdeskServer",
    "create_server",
    "serve",
    "ModelSlot",
    "Handlers",
    "Boundary",
    "CallFailed",
    "NewsDeskServicer",
    "error_status",
    "error_from_status",
    "NewsdeskClient",
    "Classified",
    "Summarised",
    "PageResult",
    "PageResults",
    "ModelInfo",
    "RemoteResult",
    "remote_results",
]

_HOMES = {
    "SERVICE_NAME": "servicer",
    "STATUS_CODES": "status",
    "ServerConfig": "config",
    "add_serve_arguments": "config",
    "config_from_args": "config",
    "NewsdeskServer": "server",
    "create_server": "server",
    "serve": "process",
    "ModelSlot": "slot",
    "Handlers": "handlers",
    "Boundary": "boundary",
    "CallFailed": "boundary",
    "NewsDeskServicer": "servicer",
    "error_status": "status",
    "error_from_status": "status",
    "NewsdeskClient": "client",
    "Classified": "results",
    "Summarised": "results",
    "PageResult": "results",
    "PageResults": "results",
    "ModelInfo": "results",
    "RemoteResult": "records",
    "remote_results": "records",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once found, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from .boundary import Boundary, CallFailed
    from .client import NewsdeskClient
    from .config import ServerConfig, add_serve_arguments, config_from_args
    from .handlers import Handlers
    from .process import serve
    from .records import RemoteResult, remote_results
    from .results import Classified, ModelInfo, PageResult, PageResults, Summarised
    from .server import NewsdeskServer, create_server
    from .servicer import SERVICE_NAME, NewsDeskServicer
    from .slot import ModelSlot
    from .status import STATUS_CODES, error_from_status, error_status
