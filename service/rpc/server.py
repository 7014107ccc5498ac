"""The server object and its bootstrap: `create_server(config)` builds and binds a server a
test can start on port 0 (health, reflection, metrics endpoint, TLS, the model slot);
`service.rpc.process.serve` adds the process around it."""

from __future__ import annotations

import errno
import socket
import threading
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from .._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from ..errors import InvalidInput
from ..limits import Lanes
from .boundary import Boundary
from .config import ServerConfig, check
from .handlers import Handlers
from .interceptor import Interceptor
from .metrics import Metrics
from .servicer import SERVICE_NAME, NewsDeskServicer
from .slot import ModelSlot

__all__ = ["NewsdeskServer", "Readiness", "create_server"]


class Readiness:
    """The health service's word on us: NOT_SERVING until a model is ready, and again from the
    moment shutdown begins (a model loaded after that does not bring SERVING back)."""

    def __init__(self) -> None:
        self.servicer = health.HealthServicer(experimental_non_blocking=True)
        self._stopping = False
        for name in ("", SERVICE_NAME):
            self.servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)

    def serving(self) -> None:
        if self._stopping:
            return
        for name in ("", SERVICE_NAME):
            self.servicer.set(name, health_pb2.HealthCheckResponse.SERVING)

    def stopping(self) -> None:
        self._stopping = True
        self.servicer.enter_graceful_shutdown()


class NewsdeskServer:
    """A grpc.Server plus what it serves with: the model slot, handlers, boundary, health,
    metrics; `handlers` and `boundary` serve any other transport from the same model."""

    def __init__(self, config: ServerConfig, server: grpc.Server, port: int, models: ModelSlot,
                 readiness: Readiness, boundary: Boundary, handlers: Handlers) -> None:  # fmt: skip
        self.config = config
        self.grpc = server
        self.port = port
        self.models = models
        self.readiness = readiness
        self.health = readiness.servicer
        self.boundary = boundary
        self.handlers = handlers
        self.metrics = boundary.metrics
        self.metrics_port = 0
        self._http: Any = None
        self.lanes: Lanes | None = None  # threads and call count, shared by the HTTP front
        self.budget: Any = None  # in-flight request bytes (limits.Budget), shared likewise
        self.front: Any = None  # the HTTP/JSON front (service.http), when --http-address is set
        self.http_port = 0

    def start(self) -> NewsdeskServer:
        """Listen (health NOT_SERVING), load and warm the model, then report SERVING."""
        self.grpc.start()
        # The metrics port serves /metrics, /healthz, /readyz and 404 elsewhere; the HTTP/JSON
        # front listens beside gRPC when --http-address is set (service/http/).
        from ..http.app import start_front
        from ..http.probes import start_metrics

        try:
            if self.config.metrics_port:
                self._http = start_metrics(self, self.config.metrics_host, self.config.metrics_port)
                self.metrics_port = self._http.server_port
            if self.config.http_address:
                self.front = start_front(self, self.config.http_address)
                self.http_port = self.front.port
        except InvalidInput:
            self.grpc.stop(0)
            if self._http is not None:
                _close_http(self._http)
            raise
        self.models.reload()
        self.models.watch(self.config.poll_seconds)
        return self

    def reload(self) -> bool:
        """Reload the model now (what SIGHUP does); False if it was refused."""
        return self.models.reload()

    def stop(self, grace: float | None = None) -> threading.Event:
        """NOT_SERVING, refuse new calls, give in-flight ones `grace` seconds; returns an Event."""
        self.metrics.stopping = True
        self.readiness.stopping()
        self.models.close()
        grace = self.config.grace if grace is None else grace
        done = self.grpc.stop(grace)
        # Health Watch streams never end by themselves: once our own calls have finished, cut
        # them, rather than keep the process alive for the whole grace period.
        threading.Thread(
            target=lambda: self.metrics.wait_idle(grace) and self.grpc.stop(0),
            name="newsdesk-drain",
            daemon=True,
        ).start()
        waits = [done.wait]
        if self.front is not None:  # in-flight HTTP calls get the same grace, and the stop
            front, self.front = self.front, None  # is done once they are, not with gRPC's alone
            closing = threading.Thread(target=front.close, args=(grace,), daemon=True)
            closing.start()
            waits.append(closing.join)
        # The metrics port stays up through the drain, closed once it is done: its probes say
        # 503 "stopping" (not a refused connection) and a scrape sees the last calls counted.
        metrics_http, self._http = self._http, None
        if metrics_http is None and len(waits) == 1:
            return done
        finished = threading.Event()

        def finish() -> None:
            for wait in waits:
                wait()
            if metrics_http is not None:
                _close_http(metrics_http)
            finished.set()

        threading.Thread(target=finish, name="newsdesk-stopped", daemon=True).start()
        return finished

    def wait_for_termination(self, timeout: float | None = None) -> bool:
        return self.grpc.wait_for_termination(timeout)


def _close_http(http: Any) -> None:
    http.shutdown()
    http.server_close()  # release the port, so a restarted server can bind it again


def create_server(config: ServerConfig) -> tuple[NewsdeskServer, int]:
    """Build and bind the server (not started): port 0 in `address` picks a free port."""
    from ..classifier import DEFAULT_MODEL

    check(config)
    boundary = Boundary(Metrics(), config.token)
    options = [
        # A backstop: our own check (service.decoding) refuses past max_message_bytes and counts
        # it; what the transport refuses past twice that never reaches our code.
        ("grpc.max_receive_message_length", min(2 * config.max_message_bytes, 2**31 - 1)),
        # --max-message-bytes bounds what callers send. An answer is ours, and may outgrow its
        # request (a term's spans, a page's 15 bytes an input character): a send limit failed a
        # finished call as RESOURCE_EXHAUSTED with no details, logged OK. HTTP sends it whole.
        ("grpc.max_send_message_length", -1),
        ("grpc.so_reuseport", 0),  # two servers on one port would split traffic silently
    ]
    lanes = Lanes(config.workers, config.max_streams)
    interceptor = Interceptor(config, boundary, lanes)
    server = grpc.server(
        lanes.unary,  # the default; the interceptor pins each call to its lane
        interceptors=[interceptor],
        options=options,
        # --max-concurrent-rpcs is counted by the interceptor, so refusals are logged and counted.
    )
    readiness = Readiness()
    path = Path(config.model or DEFAULT_MODEL)
    models = ModelSlot(path, boundary.metrics, on_ready=readiness.serving)
    handlers = Handlers(models, config)
    pb_grpc.add_NewsDeskServicer_to_server(NewsDeskServicer(handlers), server)
    health_pb2_grpc.add_HealthServicer_to_server(readiness.servicer, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    port = _bind(server, config)
    front = NewsdeskServer(config, server, port, models, readiness, boundary, handlers)
    front.lanes, front.budget = lanes, interceptor.budget  # HTTP calls share both
    return front, port


def _read_pem(path: Path | None, field: str) -> bytes:
    """A TLS file's bytes; one this user cannot read is named with its flag (it was a bare
    PermissionError, and a traceback under `python -m service.rpc`)."""
    try:
        return Path(path or "").read_bytes()
    except OSError as exc:
        flag = "--" + field.replace("_", "-")
        raise InvalidInput(
            f"{flag} {path}: cannot read it ({exc.strerror}): the server's user needs read "
            "access to the certificate and key",
            field=field,
        ) from None


def _unbindable(address: str) -> str:
    """Why a plain socket cannot bind `address` (HOST:PORT), else "". Asked before gRPC binds:
    its core logs a line of its own (`add_port.cc … Failed to add port`) before ours, and binds
    a name such as localhost where it can, serving ::1 while another process holds 127.0.0.1.
    Bound as gRPC binds (SO_REUSEADDR: a port left in TIME_WAIT is free); other address forms,
    a port of 0 or a name that does not resolve are left to gRPC."""
    host, _, port = address.rpartition(":")
    if not port.isdigit() or not int(port) or "/" in host or host.startswith(("unix", "dns")):
        return ""
    host = host[1:-1] if host[:1] == "[" and host[-1:] == "]" else host
    try:
        found = socket.getaddrinfo(
            host or None, int(port), type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (OSError, UnicodeError, ValueError):
        return ""
    whys = []
    for family, kind, proto, _, where in found:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(where)
            except OSError as exc:
                whys.append((exc.errno == errno.EADDRINUSE, exc.strerror or str(exc)))
                continue
            whys.append((False, ""))
    taken = [why for in_use, why in whys if in_use]
    return taken[0] if taken else "" if any(not why for _, why in whys) else whys[0][1]


def _bind(server: grpc.Server, config: ServerConfig) -> int:
    """Add the listening port (TLS when configured); say which flag to fix when it fails."""
    if why := _unbindable(config.address):
        raise InvalidInput(
            f"cannot listen on {config.address} ({why}): pick a free port, on an address of "
            "this machine (HOST:PORT, e.g. 0.0.0.0:50051); check --address",
            field="address",
        )
    pair = None
    try:
        if config.tls_cert:
            pair = (_read_pem(config.tls_key, "tls_key"), _read_pem(config.tls_cert, "tls_cert"))
            port = server.add_secure_port(config.address, grpc.ssl_server_credentials([pair]))
        else:
            port = server.add_insecure_port(config.address)
    except RuntimeError:  # grpc raises when it cannot bind
        port = 0
    if not port:
        if pair:
            raise InvalidInput(
                f"cannot listen on {config.address}: either --tls-cert/--tls-key are not a "
                "matching PEM certificate and key, or the port is taken (pick another --address)",
                field="tls_cert",
            )
        raise InvalidInput(
            f"cannot listen on {config.address}: the port is taken, or the host is no address "
            "of this machine (HOST:PORT, e.g. 0.0.0.0:50051); check --address",
            field="address",
        )
    return port
