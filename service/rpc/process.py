"""The server as a process: logging (plain or JSON lines), signals (SIGHUP reloads,
SIGTERM/SIGINT drain and stop), and `main` for `python -m service.rpc`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InvalidInput, NewsdeskError
from ..malloc import return_freed_memory
from .config import ServerConfig, add_serve_arguments, config_from_args, token_in_clear
from .metrics import log
from .server import create_server

__all__ = ["serve", "main", "configure_logging"]

SERVER_HELP = "the newsdesk.v1 gRPC server (the same flags as `newsdesk serve`)"

_STANDARD = set(vars(logging.makeLogRecord({})))


class _JsonFormatter(logging.Formatter):
    """One JSON object per line, with the `extra` fields, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _PlainFormatter(logging.Formatter):
    """Time, level, message, then the `extra` fields as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        line = f"{self.formatTime(record)} {record.levelname} {record.getMessage()} {extra}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line.rstrip()


def configure_logging(fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if fmt == "json" else _PlainFormatter())
    root = logging.getLogger("newsdesk")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


def serve(config: ServerConfig) -> int:
    """Run until SIGTERM/SIGINT: reload on SIGHUP, then shut down gracefully; returns 0.

    A model folder that is not there (a typo, a file, no permission) raises ModelError before
    anything listens; an existing folder with no loadable model yet is waited for (NOT_SERVING,
    loaded once it lands), as a failed reload keeps the old model serving."""
    from ..classifier import DEFAULT_MODEL, check_folder

    check_folder(Path(config.model or DEFAULT_MODEL))
    configure_logging(config.log_format)
    # This process is the server: large blocks go back to the system when freed, so a burst of
    # big requests does not leave it at its peak size (service.malloc says why).
    return_freed_memory()
    server, port = create_server(config)
    wake = threading.Event()
    flags = {"stop": False, "reload": False}

    def on_signal(signum, _frame) -> None:
        flags["reload" if signum == getattr(signal, "SIGHUP", None) else "stop"] = True
        wake.set()

    for sig in ("SIGTERM", "SIGINT", "SIGHUP"):
        if hasattr(signal, sig):
            signal.signal(getattr(signal, sig), on_signal)
    server.start()
    if token_in_clear(config):
        log.warning(
            "a bearer token is required but the server has no TLS: the token crosses the "
            "network in clear text; give --tls-cert/--tls-key, or keep --address on loopback"
        )
    log.info(
        "serving",
        extra={"address": config.address, "port": port, "tls": bool(config.tls_cert),
               "metrics_port": server.metrics_port, "http_port": server.http_port,
               "pid": os.getpid()},
    )  # fmt: skip
    while not flags["stop"]:
        # A timeout keeps the main thread returning to the interpreter, where handlers run.
        if not wake.wait(0.5):
            continue
        wake.clear()
        if flags["reload"] and not flags["stop"]:
            flags["reload"] = False
            server.reload()
    log.info("shutting down", extra={"grace": config.grace})
    if not server.stop(config.grace).wait(config.grace + EXIT_SLACK):
        log.warning("gRPC's shutdown did not finish in the grace period; exiting all the same")
    log.info("stopped")
    exit_within(EXIT_SLACK)
    return 0


# Once stopped, the process has this long to exit. gRPC's threads can, rarely, hold the
# interpreter's exit (grpc/grpc#17214 and kin; seen once in CI: a SIGTERMed server alive 30 s
# later with no call open), and a supervisor waiting on a drained server should not wait on that.
EXIT_SLACK = 5.0


def exit_within(seconds: float) -> None:
    """End the process `seconds` from now if it has not ended by then (a daemon timer: it runs
    while the interpreter's exit joins other threads, and dies with a process that exits)."""

    def end() -> None:
        logging.shutdown()  # (the log lines so far, flushed)
        os._exit(0)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m service.rpc`: the same flags as `newsdesk serve`."""
    parser = argparse.ArgumentParser(prog="python -m service.rpc", description=SERVER_HELP)
    add_serve_arguments(parser)
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except InvalidInput as exc:
        parser.error(exc.message)
    try:
        return serve(config)
    except InvalidInput as exc:  # the address or TLS pair, found when binding: a usage error
        parser.error(exc.message)
    except NewsdeskError as exc:  # the model folder is not there: the run failed, exit 1
        print(f"{parser.prog}: {type(exc).__name__}: {exc.message}", file=sys.stderr)
        return 1
