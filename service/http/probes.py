"""Probes that mean something, and the metrics port that serves /metrics and nothing else.

`/healthz`: the process serves (200 while it is not shutting down). `/readyz`: a model is loaded
and answers a one-article classification now (200), else 503 with the reason (`loading` while
the first load runs, `no model loaded` once it failed, `stopping`, the error). Both answer on the
HTTP address and on the metrics port, without a token (orchestrators probe without secrets).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..errors import InvalidInput
from . import bridge
from .pool import IDLE_S

__all__ = ["health", "ready", "MetricsServer", "start_metrics"]

READY_CACHE_S = 1.0  # a flood of probes costs one model call a second, not one each
_PROBE = ("贵阳市召开工作会议", "会议研究部署下一阶段重点工作。")


def health(server: Any) -> tuple[int, dict[str, Any]]:
    if bridge.stopping(server):
        return 503, {"status": "stopping"}
    return 200, {"status": "ok"}


_ready_lock = threading.Lock()
_ready_seen: dict[int, tuple[float, int, dict[str, Any]]] = {}


def ready(server: Any) -> tuple[int, dict[str, Any]]:
    """Is a model loaded and answering? One real (tiny) classification, cached for a second."""
    if bridge.stopping(server):
        return 503, {"status": "stopping"}
    loading = server.models.loading  # read before `current`, as ModelSlot.get reads them
    loaded = server.models.current
    if loaded is None:  # the first load still running, or over and failed: the log says why
        status = "loading" if loading else "no model loaded"
        return 503, {"status": status, "model": str(server.models.path.name)}
    key = id(loaded)
    with _ready_lock:
        seen = _ready_seen.get(key)
        if seen and time.monotonic() - seen[0] < READY_CACHE_S:
            return seen[1], seen[2]
        started = time.monotonic()
        try:
            prediction = loaded.classifier.predict([_PROBE])[0]
            answer = (200, {"status": "ready", "model": loaded.info.name,
                            "version": loaded.info.version,
                            "probe_ms": round((time.monotonic() - started) * 1000, 2),
                            "probe_label": prediction.label})  # fmt: skip
        except Exception as exc:  # a loaded model that cannot answer is not ready
            answer = (503, {"status": f"model does not answer: {type(exc).__name__}"})
        _ready_seen.clear()
        _ready_seen[key] = (time.monotonic(), *answer)
        return answer


def probe_bytes(answer: tuple[int, dict[str, Any]]) -> tuple[int, bytes]:
    return answer[0], json.dumps(answer[1], ensure_ascii=False).encode("utf-8")


class _MetricsHandler(BaseHTTPRequestHandler):
    server_version = "newsdesk-metrics"
    protocol_version = "HTTP/1.1"
    # A connection that says nothing is closed, as the HTTP front's are: each holds a thread of
    # its own here, and one opened and left idle held it for good.
    timeout = IDLE_S

    def do_HEAD(self) -> None:  # noqa: N802 - what GET answers, without its body (was 501)
        self.do_GET(send=False)

    def do_GET(self, send: bool = True) -> None:  # noqa: N802 - http.server's name
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        path = self.path.split("?", 1)[0]
        owner = self.server.owner  # type: ignore[attr-defined]
        if path == "/metrics":
            status, body, kind = 200, generate_latest(owner.metrics.registry), CONTENT_TYPE_LATEST
        elif path in ("/healthz", "/readyz"):
            status, body = probe_bytes((health if path == "/healthz" else ready)(owner))
            kind = "application/json"
        else:
            status, kind = 404, "text/plain; charset=utf-8"
            body = b"not found: this port serves /metrics, /healthz and /readyz\n"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # scrapes are not news
        pass


class MetricsServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = socket.SOMAXCONN  # (socketserver's 5: see http/pool.py)
    timeout = 10

    def __init__(self, address: tuple[str, int], owner: Any) -> None:
        self.owner = owner
        super().__init__(address, _MetricsHandler)


def start_metrics(server: Any, host: str, port: int) -> MetricsServer:
    """Serve /metrics, /healthz, /readyz on host:port in a thread; 404 elsewhere."""
    try:
        httpd = MetricsServer((host, port), server)
    except OSError as exc:
        raise InvalidInput(
            f"cannot serve metrics on {host}:{port} ({exc.strerror}): is the port taken? pick "
            "another --metrics-port (or --metrics-host)",
            field="metrics_port",
        ) from exc
    threading.Thread(target=httpd.serve_forever, name="newsdesk-metrics", daemon=True).start()
    return httpd
