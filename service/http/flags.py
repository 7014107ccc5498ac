"""The serve flags issue 16 adds, as a table: flag, env twin, ServerConfig field, parser, help.

`service.server` registers them (`add_http_arguments`) and reads them back (`http_config`);
the rpc package's table-driven flags can take these rows as they are.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

__all__ = ["FLAGS", "add_http_arguments", "http_config"]


def _on(value: str | bool) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


# (flag, env twin, ServerConfig field, default, argparse keywords)
FLAGS: tuple[tuple[str, str, str, Any, dict[str, Any]], ...] = (
    (
        "--http-address",
        "NEWSDESK_HTTP_ADDRESS",
        "http_address",
        None,
        {
            "help": "also serve HTTP/JSON, the newsroom page and probes on this host:port "
            "(port 0 picks one); off unless set (env NEWSDESK_HTTP_ADDRESS) — see docs/http.md"
        },
    ),
    (
        "--metrics-host",
        "NEWSDESK_METRICS_HOST",
        "metrics_host",
        "127.0.0.1",
        {
            "help": "interface the --metrics-port listens on; loopback unless told otherwise "
            "(env NEWSDESK_METRICS_HOST)"
        },
    ),
    (
        "--model-path-in-info",
        "NEWSDESK_MODEL_PATH_IN_INFO",
        "model_path_in_info",
        False,
        {
            "action": "store_true",
            "help": "let GetModel (and GET /v1/model) tell callers the model's folder on this "
            "machine; off by default (env NEWSDESK_MODEL_PATH_IN_INFO=1)",
        },
    ),
)


def add_http_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    for flag, env, _field, default, kw in FLAGS:
        value = os.environ.get(env)
        if kw.get("action") == "store_true":
            parser.add_argument(flag, default=_on(value) if value is not None else default, **kw)
        else:
            parser.add_argument(flag, default=value if value is not None else default, **kw)
    return parser


def http_config(args: argparse.Namespace) -> dict[str, Any]:
    """The ServerConfig fields of these flags, from parsed arguments."""
    out = {}
    for flag, _env, field, _default, _kw in FLAGS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        out[field] = _on(value) if isinstance(_default, bool) else (value or _default)
    return out
