"""The server over loopback: cold start, unary latency, 8-client throughput, stream, pages, RSS.

The server runs as its own process (`python -m service.rpc`, which builds it with
`create_server`), as in production: a server in the bench's process would share its GIL with
the clients and the figures would measure the two fighting, not the server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .common import ROOT, Context, Figure, need, percentile

__all__ = ["run", "ServerProcess"]

COLD_START_S = 2.0
UNARY_P99_MS = 10.0
STREAM_PER_S = 2000.0
RSS_MB = 400.0
FLAT = 1.10  # "flat": at most 10 % more RSS after the requests than once warm
WARM = 1000  # concurrent calls before RSS counts as warm


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python -m service.rpc` on a free loopback port; `.ready_s` is its cold start."""

    def __init__(self, model: Path, workers: int = 8) -> None:
        self.model = model
        self.workers = workers
        self.address = ""
        self.process: subprocess.Popen | None = None
        self.ready_s = 0.0
        self.log = None

    def __enter__(self) -> ServerProcess:
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        self.address = f"127.0.0.1:{_free_port()}"
        env = {k: v for k, v in os.environ.items() if k != "NEWSDESK_TOKEN"}
        env["PYTHONPATH"] = str(ROOT)
        args = [
            sys.executable, "-m", "service.rpc", "--address", self.address,
            "--model", str(self.model), "--workers", str(self.workers), "--poll", "0",
        ]  # fmt: skip
        started = time.perf_counter()
        # Its log goes to a file: an unread pipe fills up and then blocks the server mid-call.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log
        )
        channel = grpc.insecure_channel(self.address)
        stub = health_pb2_grpc.HealthStub(channel)
        serving = health_pb2.HealthCheckResponse.SERVING
        try:
            while True:
                if self.process.poll() is not None:
                    err = self.log_tail()
                    raise RuntimeError(f"server exited {self.process.returncode}:\n{err}")
                if time.perf_counter() - started > 60:
                    raise RuntimeError("server not SERVING after 60 s")
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=0.5)
                    if reply.status == serving:
                        break
                except grpc.RpcError:
                    pass
                time.sleep(0.005)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        finally:
            channel.close()
        self.ready_s = time.perf_counter() - started
        return self

    def log_tail(self, size: int = 800) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-size:]

    def rss_mb(self) -> float:
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()


def _articles(ctx: Context) -> list[dict]:
    return [
        {"id": r["id"], "title": r.get("title") or "", "text": r["text"]}
        for r in ctx.jsonl("classify/dev.jsonl")
    ]


def run(ctx: Context) -> list[Figure]:
    grpc = need("grpc", "grpcio")
    need("psutil", "psutil (pip install -e '.[bench]')")
    need("service.rpc", "service.rpc")
    pb = need("service._proto.newsdesk.v1.newsdesk_pb2", "generated stubs (make proto)")
    pb_grpc = need("service._proto.newsdesk.v1.newsdesk_pb2_grpc", "generated stubs")
    model = ctx.need_model()
    articles = _articles(ctx)
    # one typical article for latency: the median-length dev article
    typical = sorted(articles, key=lambda a: len(a["text"]))[len(articles) // 2]
    figures: list[Figure] = []

    # Cold start, three times: a single launch on a shared machine is too noisy to quote.
    starts = []
    for _ in range(2):
        with ServerProcess(model) as server:
            starts.append(server.ready_s)
    with ServerProcess(model) as server:
        starts.append(server.ready_s)
        figures.append(
            Figure(
                "cold_start_s",
                "s",
                percentile(starts, 50),
                target=f"<= {COLD_START_S:g} s",
                met=percentile(starts, 50) <= COLD_START_S,
                better="lower",
                note="process start to health SERVING, median of 3: "
                + ", ".join(f"{s:.2f}" for s in starts),
            )
        )
        rss_loaded = server.rss_mb()
        figures.append(
            Figure(
                "server_rss_mb",
                "MB",
                rss_loaded,
                target=f"<= {RSS_MB:g} MB",
                met=rss_loaded <= RSS_MB,
                better="lower",
                note="after load and warm-up",
            )
        )
        channel = grpc.insecure_channel(server.address)
        stub = pb_grpc.NewsDeskStub(channel)
        one = pb.ClassifyRequest(articles=[pb.Article(**typical)])

        # Unary latency, one client.
        calls = 300 if ctx.quick else 2000
        for _ in range(100):
            stub.Classify(one, timeout=10)
        latencies = []
        for _ in range(calls):
            t = time.perf_counter()
            stub.Classify(one, timeout=10)
            latencies.append((time.perf_counter() - t) * 1000)
        for q in (50, 95, 99):
            value = percentile(latencies, q)
            figures.append(
                Figure(
                    f"grpc_unary_p{q}_ms",
                    "ms",
                    value,
                    target=f"<= {UNARY_P99_MS:g} ms" if q == 99 else None,
                    met=value <= UNARY_P99_MS if q == 99 else None,
                    better="lower",
                    note=f"Classify, one {len(typical['text'])}-char article, 1 client, "
                    f"{calls} calls",
                )
            )

        # Throughput, 8 clients with a channel each; these calls also age the server for RSS.
        # The first few hundred concurrent calls grow RSS once (8 RPC threads, their malloc
        # arenas and gRPC buffers: ~25 MB, measured); "flat" is judged from there on.
        _clients(grpc, pb, pb_grpc, server.address, articles, WARM, clients=8)
        rss_warm = server.rss_mb()
        total = 2000 if ctx.quick else 20000
        per_s = _clients(grpc, pb, pb_grpc, server.address, articles, total, clients=8)
        figures.append(
            Figure(
                "grpc_unary_8clients_per_s",
                "requests/s",
                per_s,
                note=f"{total:,} Classify calls of one article, 8 client threads",
            )
        )
        rss_after = server.rss_mb()
        figures.append(
            Figure(
                "server_rss_after_mb",
                "MB",
                rss_after,
                f"after {WARM:,} concurrent warm-up calls",
                rss_warm,
                target=f"<= {RSS_MB:g} MB and <= {FLAT:.2f}x warm",
                met=rss_after <= RSS_MB and rss_after <= FLAT * rss_warm,
                better="lower",
                note=f"after {total:,} more requests (RSS after load: {rss_loaded:.0f} MB); "
                "ratio = growth",
            )
        )

        # ClassifyStream, 5,000 articles.
        n = 1000 if ctx.quick else 5000
        stream_items = [pb.Article(**articles[i % len(articles)]) for i in range(n)]
        list(stub.ClassifyStream(iter(stream_items[:200]), timeout=120))  # warm
        t = time.perf_counter()
        replies = list(stub.ClassifyStream(iter(stream_items), timeout=600))
        stream_s = time.perf_counter() - t
        failed = sum(1 for r in replies if r.HasField("error"))
        if len(replies) != n or failed:
            raise RuntimeError(f"stream answered {len(replies)} of {n}, {failed} with errors")
        figures.append(
            Figure(
                "grpc_stream_articles_per_s",
                "articles/s",
                n / stream_s,
                target=f">= {STREAM_PER_S:,.0f} articles/s",
                met=n / stream_s >= STREAM_PER_S,
                note=f"ClassifyStream of {n:,} dev articles, one client",
            )
        )

        # AnalysePage on the real sample page.
        page = ctx.data.parent / "samples" / "guiyang-daily-page.txt"
        if page.is_file():
            request = pb.AnalysePageRequest(text=page.read_text(encoding="utf-8"))
            reply = stub.AnalysePage(request, timeout=30)
            found = len(reply.articles)
            pages = 10 if ctx.quick else 50
            t = time.perf_counter()
            for _ in range(pages):
                stub.AnalysePage(request, timeout=30)
            figures.append(
                Figure(
                    "page_analyses_per_s",
                    "pages/s",
                    pages / (time.perf_counter() - t),
                    note=f"AnalysePage on the sample page ({len(request.text):,} chars, "
                    f"{found} articles), split + classify + lead, 1 client",
                )
            )
        else:
            print(f"  page analysis skipped: {page} not found", file=sys.stderr)
        channel.close()
    return figures


def _clients(grpc, pb, pb_grpc, address, articles, total, clients) -> float:
    """Requests/s of `clients` threads sharing `total` unary calls, one article each."""
    requests = [pb.ClassifyRequest(articles=[pb.Article(**a)]) for a in articles]
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def client(k: int) -> None:
        channel = grpc.insecure_channel(address)
        stub = pb_grpc.NewsDeskStub(channel)
        try:
            stub.Classify(requests[k], timeout=10)
            barrier.wait()
            for i in range(k, total, clients):
                stub.Classify(requests[i % len(requests)], timeout=30)
        except BaseException as e:  # surfaced below: a failed call must not pass as speed
            errors.append(e)
            barrier.abort()
        finally:
            channel.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    t = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return total / (time.perf_counter() - t)
