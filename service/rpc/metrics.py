"""The server's Prometheus metrics, in a registry of their own, and the count of calls in flight."""

from __future__ import annotations

import logging
import threading

from ..limits import RateLimitedLog

__all__ = ["Metrics", "log"]

# Every server module logs here (`newsdesk.server`: the name operators' filters know).
log = logging.getLogger("newsdesk.server")


class Metrics:
    """Prometheus metrics in a registry of their own, so several servers can share a process."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "newsdesk_requests", "RPCs finished, by method and status code", ["method", "code"],
            registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "newsdesk_request_seconds", "RPC latency in seconds, by method", ["method"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )  # fmt: skip
        self.articles = Counter(
            "newsdesk_articles", "Articles answered, by method", ["method"], registry=r
        )
        self.in_flight = Gauge("newsdesk_in_flight", "RPCs being served now", registry=r)
        self.refusals = Counter(
            "newsdesk_refusals", "Calls and stream items refused, by method and reason "
            "(concurrency, size, budget, auth; HTTP connections)", ["method", "reason"], registry=r,
        )  # fmt: skip
        # Refusals come in floods (that is what they are for): one log line per method and
        # reason every 10 s, with the count held back.
        self.refusal_log = RateLimitedLog(log, every=10.0)
        self.undecodable = Counter(
            "newsdesk_undecodable_messages", "Requests and stream items that were not valid "
            "protobuf, by method (one over the size limit is a refusal, reason size)", ["method"],
            registry=r,
        )  # fmt: skip
        self.model = Info("newsdesk_model", "The model serving now", registry=r)
        self.reloads = Counter("newsdesk_model_reloads", "Models loaded and swapped in", registry=r)
        self.reload_failures = Counter(
            "newsdesk_model_reload_failures", "Model loads refused (old model kept)", registry=r
        )
        self._calls = 0
        self._idle = threading.Condition()
        self.stopping = False  # set when shutdown begins (for the log's words only)

    def call_started(self) -> None:
        with self._idle:
            self._calls += 1
        self.in_flight.inc()

    def call_ended(self) -> None:
        with self._idle:
            self._calls -= 1
            self._idle.notify_all()
        self.in_flight.dec()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no newsdesk call is in flight (health watches do not count)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._calls <= 0, timeout)

    def refused(self, method: str, reason: str, message: str, **fields: str) -> None:
        """Count a refusal and log it (rate-limited: refusals come in floods); `fields` (the
        call's `request_id`, a token refusal's `peer`) go on the line when it is written."""
        self.refusals.labels(method, reason).inc()
        self.refusal_log.log(
            logging.WARNING, (method, reason), "refused",
            {"method": method, "reason": reason, "note": message,
             **{k: v for k, v in fields.items() if v}},
        )  # fmt: skip
