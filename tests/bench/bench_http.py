"""HTTP/JSON beside gRPC: `POST /v1/classify` latency against gRPC `Classify`, same server.

One server process with `--http-address` (as in production), one client of each kind on
keep-alive connections, the same median-length dev article; the calls alternate in blocks of
50 so that load from the rest of the machine falls on both alike. The baseline is gRPC's
figure measured in the same run; the ratio is what the HTTP/JSON front costs per call.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from .common import ROOT, Context, Figure, need, percentile

__all__ = ["run"]

BLOCK = 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def run(ctx: Context) -> list[Figure]:
    grpc = need("grpc", "grpcio")
    need("service.http.app", "service.http (the HTTP/JSON front)")
    pb = need("service._proto.newsdesk.v1.newsdesk_pb2", "generated stubs (make proto)")
    pb_grpc = need("service._proto.newsdesk.v1.newsdesk_pb2_grpc", "generated stubs")
    model = ctx.need_model()
    articles = [
        {"id": r["id"], "title": r.get("title") or "", "text": r["text"]}
        for r in ctx.jsonl("classify/dev.jsonl")
    ]
    typical = sorted(articles, key=lambda a: len(a["text"]))[len(articles) // 2]
    grpc_port, http_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k != "NEWSDESK_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    args = [
        sys.executable, "-m", "service.rpc", "--address", f"127.0.0.1:{grpc_port}",
        "--http-address", f"127.0.0.1:{http_port}", "--model", str(model), "--poll", "0",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            end = time.monotonic() + 60
            while not _ready(http_port):
                if process.poll() is not None or time.monotonic() > end:
                    log.seek(0)
                    raise RuntimeError(f"server not ready:\n{log.read().decode()[-800:]}")
                time.sleep(0.05)
            return _measure(ctx, grpc, pb, pb_grpc, typical, grpc_port, http_port)
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _measure(ctx, grpc, pb, pb_grpc, typical, grpc_port, http_port) -> list[Figure]:
    channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
    stub = pb_grpc.NewsDeskStub(channel)
    one = pb.ClassifyRequest(articles=[pb.Article(**typical)])
    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    body = json.dumps({"articles": [typical]}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}

    def over_http() -> None:
        conn.request("POST", "/v1/classify", body, headers)
        answer = conn.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"/v1/classify answered {answer.status}")

    def over_grpc() -> None:
        stub.Classify(one, timeout=10)

    calls = 300 if ctx.quick else 2000
    times: dict[str, list[float]] = {"http": [], "grpc": []}
    for _ in range(100):  # warm both paths
        over_http()
        over_grpc()
    for _ in range(calls // BLOCK):
        for name, fn in (("grpc", over_grpc), ("http", over_http)):
            for _ in range(BLOCK):
                t = time.perf_counter()
                fn()
                times[name].append((time.perf_counter() - t) * 1000)
    channel.close()
    conn.close()
    note = (
        f"one {len(typical['text'])}-char article, 1 client, {calls} calls each, alternating "
        f"blocks of {BLOCK}; baseline = gRPC Classify on the same server"
    )
    return [
        Figure(
            f"http_classify_p{q}_ms",
            "ms",
            percentile(times["http"], q),
            baseline_name="grpc Classify",
            baseline=percentile(times["grpc"], q),
            better="lower",
            note=note,
        )
        for q in (50, 99)
    ]
