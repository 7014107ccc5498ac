"""What an on-call engineer meets: a request id on each call's log lines and back to the caller,
the caller's address on a token refusal, /readyz while a model loads and after a load failed,
a TLS flag given a folder, a resumed batch's progress line."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from service._proto.newsdesk.v1 import newsdesk_pb2 as pb
from service._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from tests.servers import serving_http

TOKEN = "on-call"
AUTH = (("authorization", f"Bearer {TOKEN}"),)
ARTICLE = pb.Article(id="a", title="贵阳市召开工作会议", text="会议研究部署下一阶段重点工作。")


@pytest.fixture(scope="module")
def web(model_dir: Path) -> Iterator:
    with serving_http(model_dir, token=TOKEN) as srv:
        yield srv


@pytest.fixture(scope="module")
def stub(web) -> Iterator[pb_grpc.NewsDeskStub]:
    with grpc.insecure_channel(f"127.0.0.1:{web.port}") as channel:
        yield pb_grpc.NewsDeskStub(channel)


def _lines(caplog, msg: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.msg == msg]


def _trailing_id(call_or_error) -> str | None:
    return dict(call_or_error.trailing_metadata() or ()).get("x-request-id")


# -- a request id: the caller's, or one made; logged on the call's line and sent back --------


def test_a_grpc_callers_request_id_is_logged_and_sent_back(stub, caplog) -> None:
    caplog.set_level(logging.INFO, logger="newsdesk.server")
    request = pb.ClassifyRequest(articles=[ARTICLE])
    _, call = stub.Classify.with_call(request, metadata=(*AUTH, ("x-request-id", "job-7/a1")))
    assert _trailing_id(call) == "job-7/a1"
    assert [getattr(r, "request_id", None) for r in _lines(caplog, "rpc")] == ["job-7/a1"]

    # none sent: one is made, logged and sent back; a failed call's status carries it too
    caplog.clear()
    bad = pb.ClassifyRequest(articles=[pb.Article(id="e", title="t", text="")])
    with pytest.raises(grpc.RpcError) as failed:
        stub.Classify(bad, metadata=AUTH)
    assert failed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    made = _trailing_id(failed.value)
    assert made and len(made) == 32
    assert [getattr(r, "request_id", None) for r in _lines(caplog, "rpc")] == [made]


@pytest.mark.parametrize("given", ["x" * 129, "line\nbreak", "tab\there", "中文"])
def test_a_long_or_odd_request_id_is_replaced_never_logged(given: str) -> None:
    from service.rpc.boundary import request_id

    made = request_id(given)
    assert made != given and len(made) == 32
    assert request_id(given.encode("utf-8")) != given
    assert request_id("x" * 128) == "x" * 128


def test_a_token_refusal_names_the_peer_and_the_id(stub, caplog) -> None:
    caplog.set_level(logging.INFO, logger="newsdesk.server")
    with pytest.raises(grpc.RpcError) as refused:
        stub.GetModel(pb.GetModelRequest(), metadata=(("x-request-id", "r-401"),))
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert _trailing_id(refused.value) == "r-401"
    (line,) = [r for r in _lines(caplog, "refused") if r.method == "GetModel"]
    assert line.reason == "auth" and line.request_id == "r-401"
    assert line.peer.startswith("ipv4:127.0.0.1:"), line.peer


def test_a_client_error_carries_the_servers_request_id(web, caplog, capsys) -> None:
    # The id the server logged the failed call under reaches the caller: on the client's error
    # and on the CLI's error line, so "the server log has details" can be followed to them.
    from service.cli import main
    from service.errors import InvalidInput, RemoteError
    from service.rpc.client import NewsdeskClient

    caplog.set_level(logging.INFO, logger="newsdesk.server")
    over = {"id": "a", "title": "标题", "text": "长" * 100_001}  # over the server's --max-chars
    with NewsdeskClient(f"127.0.0.1:{web.port}", token=TOKEN, timeout=30) as client:
        with pytest.raises(InvalidInput) as rejected:
            client.classify([over])
    rid = rejected.value.request_id
    assert len(rid) == 32 and rid in [r.request_id for r in _lines(caplog, "rpc")]
    with NewsdeskClient(f"127.0.0.1:{web.port}", token="wrong", timeout=30) as client:
        with pytest.raises(RemoteError) as refused:  # (refusals are logged rate-limited)
            client.get_model()
    assert len(refused.value.request_id) == 32 and refused.value.request_id != rid
    code = main(["classify", "--server", f"127.0.0.1:{web.port}", "--token", "wrong", "/dev/null"])
    err = capsys.readouterr().err
    assert code == 1 and "(server request id " in err, err


def test_an_error_made_here_has_no_request_id() -> None:
    from service.errors import RemoteError
    from service.rpc.client import NewsdeskClient

    with NewsdeskClient("127.0.0.1:1", timeout=1, retries=0) as client:
        with pytest.raises(RemoteError) as unreached:
            client.get_model()
    assert unreached.value.request_id == ""


def _http(web, path: str, body: dict | None, headers: dict) -> tuple[int, dict, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{web.http_port}{path}", data=data, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_http_sends_the_request_id_back_and_logs_it(web, caplog) -> None:
    caplog.set_level(logging.INFO)
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    body = {"articles": [{"id": "a", "title": ARTICLE.title, "text": ARTICLE.text}]}
    status, headers, _ = _http(web, "/v1/classify", body, {**auth, "X-Request-Id": "h-1"})
    assert status == 200 and headers["X-Request-Id"] == "h-1"
    status, headers, _ = _http(web, "/v1/classify", body, {**auth, "X-Request-Id": "z" * 200})
    made = headers["X-Request-Id"]
    assert status == 200 and len(made) == 32
    from tests.servers import wait_until

    def ids() -> list:  # (the `http` line is written once the answer is sent)
        return [getattr(r, "request_id", None) for r in _lines(caplog, "http")]

    assert wait_until(lambda: len(ids()) == 2, timeout=10)
    assert ids() == ["h-1", made] and "z" * 200 not in caplog.text

    # a token refusal: 401, its id back, and the log line names the client's address
    status, headers, _ = _http(web, "/v1/summarise", body, {"X-Request-Id": "h-401"})
    assert status == 401 and headers["X-Request-Id"] == "h-401"
    (line,) = [r for r in _lines(caplog, "refused") if r.method == "Summarise"]
    assert line.request_id == "h-401" and line.peer.startswith("127.0.0.1:"), line.peer


# -- a folder with no model yet; /readyz while loading and after a failed load ----------------


def _ready(port: int) -> tuple[int, str]:
    status, _, body = _http_at(port, "/readyz")
    return status, body["status"]


def _http_at(port: int, path: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_readyz_tells_loading_from_a_failed_load(model_dir: Path, monkeypatch) -> None:
    import threading

    from service.rpc import create_server, slot
    from tests.servers import config, wait_until

    warm, release = slot._warm, threading.Event()
    monkeypatch.setattr(slot, "_warm", lambda c: (release.wait(30), warm(c)))
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0", poll_seconds=0))
    starting = threading.Thread(target=srv.start)
    starting.start()
    try:
        assert wait_until(lambda: srv.http_port != 0)
        assert _ready(srv.http_port) == (503, "loading")
        release.set()
        starting.join(30)
        assert _ready(srv.http_port) == (200, "ready")
    finally:
        release.set()
        starting.join(30)
        srv.stop(0).wait()


def test_an_empty_model_folder_is_waited_for_not_counted_as_a_failure(tmp_path, caplog) -> None:
    from service.rpc import create_server
    from tests.servers import config

    caplog.set_level(logging.INFO, logger="newsdesk.server")
    empty = tmp_path / "desk"
    empty.mkdir()
    srv, _ = create_server(config(empty, http_address="127.0.0.1:0", poll_seconds=0))
    srv.start()
    try:
        assert _ready(srv.http_port) == (503, "no model loaded")  # tried, failed: not loading
        assert srv.reload() is False  # SIGHUP on the empty folder: the same
        assert srv.metrics.reload_failures._value.get() == 0
        lines = _lines(caplog, "model load refused")
        assert len(lines) == 2 and all(r.levelno == logging.WARNING for r in lines)
        # a model there that cannot be loaded is a failure: counted, logged as an error
        (empty / "manifest.json").write_text("{}", encoding="utf-8")
        assert srv.reload() is False
        assert srv.metrics.reload_failures._value.get() == 1
        assert _lines(caplog, "model load refused")[-1].levelno == logging.ERROR
    finally:
        srv.stop(0).wait()


# -- a TLS flag given a folder ---------------------------------------------------------------


def test_a_tls_flag_given_a_folder_says_folder_and_exits_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    from service.errors import InvalidInput
    from service.rpc import ServerConfig
    from service.rpc.config import check
    from tests.conftest import ROOT

    with pytest.raises(InvalidInput) as caught:  # it said "no such file": a typo, to look for
        check(ServerConfig(tls_cert=tmp_path, tls_key=tmp_path))
    assert caught.value.field == "tls_cert" and "is a folder" in caught.value.message
    with pytest.raises(InvalidInput, match="no such file"):
        check(ServerConfig(tls_cert=tmp_path / "missing.pem", tls_key=tmp_path))
    serve = [sys.executable, "-m", "service.cli", "serve", "--address", "127.0.0.1:0"]
    done = subprocess.run([*serve, "--tls-cert", str(tmp_path), "--tls-key", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"--tls-cert {tmp_path}: is a folder" in done.stderr and "Traceback" not in done.stderr


# -- a resumed batch job's progress line ------------------------------------------------------


def test_a_resumed_batch_starts_its_progress_at_the_shards_already_done(
    model_dir: Path, data_dir: Path, tmp_path: Path, capsys
) -> None:
    from service.batch import run_batch
    from service.cli.output import _batch_progress
    from tests.servers import gold_articles

    folder = tmp_path / "in"
    folder.mkdir()
    rows = [json.dumps(r, ensure_ascii=False) for r in gold_articles(data_dir, 8)]
    for n in range(4):
        (folder / f"s{n}.jsonl").write_text("\n".join(rows[2 * n : 2 * n + 2]) + "\n", "utf-8")
    out = tmp_path / "out"
    run_batch([str(folder)], out, model=model_dir, workers=1, summary=False, progress=False)
    (out / "s2.jsonl").unlink()  # one shard lost: the resumed run redoes it alone
    (out / "_shards" / "s2.json").unlink()
    seen = []
    show = _batch_progress()
    run_batch([str(folder)], out, model=model_dir, workers=1, summary=False,
              progress=lambda p: (seen.append(p), show(p)))  # fmt: skip
    assert seen[0].shards_done >= 3 and seen[0].skipped == 3  # it showed 0/1
    assert (seen[-1].shards_done, seen[-1].shards, seen[-1].final) == (4, 4, True)
    assert "batch: shards 4/4 (3 already done)" in capsys.readouterr().err


@pytest.mark.parametrize("address", ["nonsense", "127.0.0.1:", "127.0.0.1:http", ":70000"])
def test_an_http_address_that_is_no_host_port_names_the_flag(address: str) -> None:
    from service.errors import InvalidInput
    from service.rpc import ServerConfig
    from service.rpc.config import check

    with pytest.raises(InvalidInput) as caught:  # it said "invalid literal for int() …"
        check(ServerConfig(http_address=address))
    assert caught.value.field == "http_address" and "int()" not in caught.value.message
    assert caught.value.message.startswith("--http-address (env NEWSDESK_HTTP_ADDRESS) is")
    check(ServerConfig(http_address="[::1]:0"))  # an IPv6 host is fine


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.1:99999", "127.0.0.1:-1"])
def test_a_grpc_address_with_no_port_or_one_out_of_range_is_refused(address: str) -> None:
    # gRPC served `127.0.0.1` on port 443 (https's), `:99999` on 34463 (modulo 65536) and `:-1`
    # on 65535, each logged as `serving`: an operator's typo went unnoticed, the port unexpected.
    import subprocess
    import sys

    from service.errors import InvalidInput
    from service.rpc import ServerConfig
    from service.rpc.config import check
    from tests.conftest import ROOT

    with pytest.raises(InvalidInput) as caught:
        check(ServerConfig(address=address))
    assert caught.value.field == "address"
    assert caught.value.message.startswith("--address (env NEWSDESK_ADDRESS) is")
    for fine in ("[::1]:0", "localhost:0", "unix:/tmp/newsdesk.sock"):
        check(ServerConfig(address=fine))
    done = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--address", address],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "give HOST:PORT, the port 0..65535" in done.stderr and "Traceback" not in done.stderr
