"""HTTP/1.1 at the edges (a new user's audit): bodies too deep to read, unknown paths and verbs,
http.server's own refusals, Content-Length that is missing or contradicts itself. A real server
on 127.0.0.1; requests through urllib, or as raw bytes on a socket where no client would send
them."""

from __future__ import annotations

import http.client
import io
import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import grpc
import pytest

from tests.servers import serving_http
from tests.test_http import call, violation

INVALID = grpc.StatusCode.INVALID_ARGUMENT.value[0]
BODY = {"articles": [{"id": "a1", "title": "标题", "text": "学校开学了。"}]}


@pytest.fixture(scope="module")
def web(model_dir: Path):
    with serving_http(model_dir) as srv:
        yield srv


def raw(port: int, request: bytes) -> tuple[int, dict, dict]:
    """(status, JSON body, headers) of bytes sent as they are, read as HTTP/1.1."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        headers, text = dict(answer.headers), answer.read()
    assert headers["Content-Type"].startswith("application/json"), (answer.status, text)
    return answer.status, json.loads(text), headers


def post(path: str, body: bytes, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: x", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_a_body_nested_too_deeply_is_400_naming_the_body(web) -> None:
    """json.loads raises RecursionError past Python's limit: the caller's input, not a 500."""
    deep = b'{"articles":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, answer, _ = call(web.http_port, "/v1/classify", raw=deep)
    assert status == 400 and answer["code"] == INVALID, answer
    assert violation(answer) == "body" and "nested too deeply" in answer["message"]
    assert call(web.http_port, "/v1/classify", BODY)[0] == 200  # and the server goes on


def test_nan_in_a_body_is_400_naming_the_constant_as_jsonl_does(web) -> None:
    body = b'{"articles": [{"id": "a1", "text": "\xe5\xad\xa6\xe6\xa0\xa1"}], "explain": NaN}'
    status, answer, _ = call(web.http_port, "/v1/classify", raw=body)
    assert status == 400 and answer["code"] == INVALID, answer
    assert violation(answer) == "body" and "NaN is not a JSON number" in answer["message"]


@pytest.mark.parametrize("path", ["/v1/summarize", "/v1/nothing", "/v1/classify/", "/nothing"])
def test_a_post_to_no_route_is_404_as_a_get_is(web, path: str) -> None:
    """The path is looked up before the verb (a POST there was 405 "only GET here")."""
    for method in ("POST", "GET"):
        status, answer, headers = call(web.http_port, path, BODY, method=method)
        assert status == 404, (method, answer)
        assert answer["code"] == grpc.StatusCode.NOT_FOUND.value[0] and "Allow" not in headers
        assert answer["message"] == f"no route {path}: see /v1/openapi.json"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS", "BREW"])
def test_every_verb_is_answered_in_json_405_with_allow_or_404(web, method: str) -> None:
    """http.server answered verbs without a do_ method with an HTML 501 and no Allow."""
    unimplemented = grpc.StatusCode.UNIMPLEMENTED.value[0]
    # /v1/model answers HEAD as the open routes do, so its Allow names it too (RFC 9110 §10.2.1)
    routes = [("/v1/classify", "POST"), ("/v1/model", "GET, HEAD"), ("/healthz", "GET, HEAD")]
    for path, allow in routes:
        status, answer, headers = call(web.http_port, path, BODY, method=method)
        assert (status, headers.get("Allow")) == (405, allow), (path, answer)
        assert answer["code"] == unimplemented and headers["Content-Type"].startswith(
            "application/json"
        )
    status, answer, _ = call(web.http_port, "/v1/nothing", BODY, method=method)
    assert status == 404 and answer["code"] == grpc.StatusCode.NOT_FOUND.value[0]
    head = http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=30)
    head.request("HEAD", "/v1/model")
    assert head.getresponse().status == 200  # what the Allow above says
    head.close()


def test_http_servers_own_refusals_are_json_statuses(web) -> None:
    """A request line http.server cannot read (400) or over 64 KB (414): a JSON Status with the
    connection closed, not its HTML page."""
    status, answer, headers = raw(web.http_port, b"GARBAGE\r\n")
    assert status == 400 and answer["code"] == INVALID and headers["Connection"] == "close"
    assert "Bad request" in answer["message"]
    status, answer, _ = raw(web.http_port, b"GET / HTTP/1.1 x\r\n")
    assert status == 400 and answer["code"] == INVALID
    long_url = b"GET /?q=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    status, answer, _ = raw(web.http_port, long_url)
    assert status == 414 and answer["code"] == INVALID and "URI" in answer["message"]
    assert call(web.http_port, "/v1/model")[0] == 200


def test_content_length_conflicting_or_missing_is_refused(web) -> None:
    """Two Content-Lengths that disagree frame no body (RFC 9112 §6.3): 400 naming the header;
    the same one twice is one. A POST without one is 411 Length Required (it was read as an
    empty request: "no articles")."""
    body = json.dumps(BODY).encode()
    size = len(body)
    twice = post("/v1/classify", body, f"Content-Length: {size}", "Content-Length: 10")
    status, answer, headers = raw(web.http_port, twice)
    assert status == 400 and violation(answer) == "Content-Length", answer
    assert headers["Connection"] == "close"
    same = post("/v1/classify", body, f"Content-Length: {size}", f"Content-Length: {size}")
    assert raw(web.http_port, same)[0] == 200
    status, answer, headers = raw(web.http_port, post("/v1/classify", body))
    assert status == 411 and answer["code"] == INVALID, answer
    assert violation(answer) == "Content-Length" and headers["Connection"] == "close"
    empty = post("/v1/classify", b"", "Content-Length: 0")  # a length of 0 is an empty request
    status, answer, _ = raw(web.http_port, empty)
    assert status == 400 and violation(answer) == "articles"


class _OneReader:
    """A socket's one buffered reader for every answer on it: HTTPResponse makes a file of its
    own per answer and closes it, dropping what it had read ahead of the next answer (which
    read as a reset connection, or a body where a status line should be)."""

    class _Unclosed(io.BufferedReader):
        def close(self) -> None:  # (each HTTPResponse closes its file when its body is read)
            pass

    def __init__(self, sock: socket.socket) -> None:
        self.fp = self._Unclosed(socket.SocketIO(sock, "rb"))

    def makefile(self, *_args, **_kwargs) -> io.BufferedReader:
        return self.fp


def answers(port: int, request: bytes, count: int) -> list[tuple[int, dict, dict]]:
    """`count` answers read in turn from one connection the bytes were sent on at once."""
    got = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        reader = _OneReader(sock)
        for _ in range(count):
            answer = http.client.HTTPResponse(reader)  # type: ignore[arg-type]
            answer.begin()
            got.append((answer.status, json.loads(answer.read()), dict(answer.headers)))
    return got


def chunks(body: bytes, *sizes: int) -> bytes:
    """`body` framed in chunks of `sizes` (the rest in a last one), an extension on the first."""
    out, at = [], 0
    for n in (*sizes, len(body)):
        piece, at = body[at : at + n], at + n
        if piece:
            out.append(
                f"{len(piece):x}{';ext=1' if not out else ''}\r\n".encode() + piece + b"\r\n"
            )
    return b"".join(out) + b"0\r\nX-Trailer: dropped\r\n\r\n"


def test_a_chunked_body_is_read_as_a_sized_one_and_the_next_request_follows(web) -> None:
    """RFC 9112 §7.1: a server must read chunked bodies (they were refused with 400). Read to
    the last chunk and no further: a request pipelined right behind it is answered too."""
    body = json.dumps(BODY, ensure_ascii=False).encode()
    sized = post("/v1/classify", body, f"Content-Length: {len(body)}")
    chunked = post("/v1/classify", chunks(body, 7, 13), "Transfer-Encoding: chunked")
    (s1, a1, _), (s2, a2, _), (s3, a3, _) = answers(web.http_port, chunked + sized + chunked, 3)
    assert s1 == s2 == s3 == 200, (a1, a2, a3)
    assert a1 == a2 == a3 and a1["results"][0]["label"]


def test_a_client_that_streams_its_body_is_answered(web) -> None:
    """http.client sends an iterable body chunked, as fetch with a stream or Go's client do."""
    body = json.dumps(BODY).encode()
    conn = http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=30)
    try:
        pieces = iter([body[:10], body[10:]])
        conn.request(
            "POST", "/v1/classify", body=pieces, headers={"Content-Type": "application/json"}
        )
        answer = conn.getresponse()
        assert answer.status == 200, answer.read()
        assert json.loads(answer.read())["results"][0]["id"] == "a1"
    finally:
        conn.close()


@pytest.mark.parametrize(
    "framed, status, field, words",
    [
        (b"zz\r\nabc\r\n0\r\n\r\n", 400, "body", "not a hexadecimal byte count"),
        (b"3\r\nabcdef\r\n0\r\n\r\n", 400, "body", "longer than its size"),
        (b"FFFFFFFF\r\n", 413, None, "(--max-message-bytes)"),
        (b"1" * 17 + b"\r\n", 400, "body", "not a hexadecimal byte count"),
        (b"3" + b" " * 5000 + b"\r\n", 400, "body", "line over 4096 bytes"),
    ],
)
def test_a_bad_chunked_body_is_refused_and_the_connection_closed(
    web, framed: bytes, status: int, field: str | None, words: str
) -> None:
    got, answer, headers = raw(
        web.http_port, post("/v1/classify", framed, "Transfer-Encoding: chunked")
    )
    assert got == status and words in answer["message"], answer
    assert field is None or violation(answer) == field
    assert headers["Connection"] == "close"
    assert call(web.http_port, "/v1/classify", BODY)[0] == 200  # and the server goes on


def test_a_body_of_too_many_chunks_is_refused_before_it_costs_a_core(web) -> None:
    """A byte a chunk would keep a thread parsing chunk lines for the whole body deadline."""
    from service.http.chunked import CHUNKS_MAX

    tiny = b"1\r\n \r\n" * (CHUNKS_MAX + 1) + b"0\r\n\r\n"
    status, answer, headers = raw(
        web.http_port, post("/v1/classify", tiny, "Transfer-Encoding: chunked")
    )
    assert status == 400 and f"more than {CHUNKS_MAX} chunks" in answer["message"], answer
    assert headers["Connection"] == "close"
    exactly = post("/v1/classify", b"1\r\n \r\n" * (CHUNKS_MAX - 1) + chunks(b'{"articles": []}'),
                   "Transfer-Encoding: chunked")  # fmt: skip
    status, answer, _ = raw(web.http_port, exactly)  # at the limit: read, then judged on its JSON
    assert status == 400 and violation(answer) == "articles", answer


def test_a_chunked_body_cut_short_is_400_once_the_client_stops_sending(web) -> None:
    with socket.create_connection(("127.0.0.1", web.http_port), timeout=30) as sock:
        sock.sendall(post("/v1/classify", b"40\r\n" + b"x" * 10, "Transfer-Encoding: chunked"))
        sock.shutdown(socket.SHUT_WR)
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        message = json.loads(answer.read())["message"]
        # both clocks named: the whole body's 30 s, and the 15 s pause a stalled client meets
        assert answer.status == 400 and "did not arrive whole" in message
        assert "within 30 s, with no pause of 15 s or more" in message


def test_transfer_codings_other_than_chunked_and_double_framing_are_refused(web) -> None:
    body = chunks(json.dumps(BODY).encode())
    both = post("/v1/classify", body, "Transfer-Encoding: chunked", f"Content-Length: {len(body)}")
    status, answer, headers = raw(web.http_port, both)  # which frames it? (request smuggling)
    assert status == 400 and violation(answer) == "Transfer-Encoding", answer
    assert headers["Connection"] == "close"
    status, answer, headers = raw(
        web.http_port, post("/v1/classify", body, "Transfer-Encoding: gzip, chunked")
    )
    assert status == 501 and answer["code"] == INVALID, answer
    assert violation(answer) == "Transfer-Encoding" and headers["Connection"] == "close"


def test_a_chunked_body_takes_its_bytes_from_the_servers_budget(model_dir: Path) -> None:
    """With no length up front, each chunk is reserved as it arrives: a body past the budget
    is refused (429) with the connection closed, also when a megabyte follows the refused
    chunk, and the bytes it held are given back."""
    body = json.dumps(BODY).encode()
    with serving_http(model_dir, max_inflight_bytes=len(body) + 8) as srv:
        ok = post("/v1/classify", chunks(body, 20), "Transfer-Encoding: chunked")
        (s1, _, _), (s2, _, _) = answers(srv.http_port, ok + ok, 2)
        assert s1 == s2 == 200
        big = chunks(body + b" " * (1 << 20), len(body), *[4096] * 300)
        refused = post("/v1/classify", big, "Transfer-Encoding: chunked")
        status, answer, headers = raw(srv.http_port, refused)
        assert status == 429 and "--max-inflight-bytes" in answer["message"], answer
        assert headers["Connection"] == "close"
        assert call(srv.http_port, "/v1/classify", BODY)[0] == 200  # nothing left held


def test_a_budget_refusal_is_logged_with_its_request_id(model_dir: Path, caplog) -> None:
    """Every call's log line carries its request id; the 429 of a body past the byte budget,
    logged before the call began, had none (i162's audit)."""
    import logging

    caplog.set_level(logging.INFO, logger="newsdesk.server")
    body = json.dumps(BODY).encode()
    with serving_http(model_dir, max_inflight_bytes=len(body) + 8) as srv:
        big = chunks(body + b" " * 4096, len(body), 4096)  # (a request alone may fill it)
        request = post(
            "/v1/classify", big, "Transfer-Encoding: chunked", "X-Request-Id: budget-test-7"
        )
        status, answer, headers = raw(srv.http_port, request)
        assert status == 429 and headers["X-Request-Id"] == "budget-test-7", answer
    logged = [r for r in caplog.records if r.msg == "refused" and r.reason == "budget"]
    assert [getattr(r, "request_id", None) for r in logged] == ["budget-test-7"]


def test_a_body_opening_with_a_byte_order_mark_is_read_as_jsonl_is(web) -> None:
    body = "\ufeff".encode() + json.dumps(BODY).encode()
    status, answer, _ = call(web.http_port, "/v1/classify", raw=body)
    assert status == 200 and answer["results"][0]["id"] == "a1", answer
    status, answer, _ = call(web.http_port, "/v1/classify", raw=b'{"articles": "\xff"}')
    assert status == 400 and answer["message"].startswith("the body is not UTF-8: "), answer
    gbk = json.dumps({"articles": [{"text": "教育部召开会议"}]}, ensure_ascii=False)
    status, answer, _ = call(web.http_port, "/v1/classify", raw=gbk.encode("gb18030"))
    assert status == 400 and answer["message"].endswith(  # what to do, not only what is wrong
        ": send it as UTF-8 (a GBK or GB18030 text converted first, e.g. iconv -f GB18030 -t UTF-8)"
    ), answer
    status, answer, _ = call(
        web.http_port, "/v1/classify", raw=b'{"articles": [], "n": ' + b"7" * 5000 + b"}"
    )
    assert status == 400 and answer["message"] == (
        "the body is not valid JSON: a number of 5000 digits (at most 4300 are read: "
        "write it as a string)"
    ), answer


def test_a_compressed_body_is_415_naming_the_coding_not_a_utf8_error(web) -> None:
    """A gzip body was read as text: "the body is not UTF-8: … byte 0x8b". RFC 9110 §15.5.16:
    415 with the codings read (Accept-Encoding: identity)."""
    import gzip

    body = json.dumps(BODY).encode()
    packed = gzip.compress(body)
    request = post(
        "/v1/classify", packed, "Content-Encoding: gzip", f"Content-Length: {len(packed)}"
    )
    status, answer, headers = raw(web.http_port, request)
    assert status == 415 and violation(answer) == "Content-Encoding", answer
    assert (
        "'gzip' is not read here" in answer["message"] and headers["Accept-Encoding"] == "identity"
    )
    plain = post("/v1/classify", body, "Content-Encoding: identity", f"Content-Length: {len(body)}")
    assert raw(web.http_port, plain)[0] == 200


def test_a_body_not_labelled_json_is_415_naming_the_type_wanted(web) -> None:
    """A form's type (what curl -d sends), text/plain (a browser's plain fetch, sent cross-site
    with no CORS preflight) and no type at all were read as JSON and answered 200. Now 415
    INVALID_ARGUMENT, field Content-Type, saying to send application/json (a charset, UTF-8)."""
    body = json.dumps(BODY).encode()

    def sent(*kinds: str) -> tuple[int, dict, dict]:
        head = ["POST /v1/classify HTTP/1.1", "Host: x", *kinds, f"Content-Length: {len(body)}"]
        return raw(web.http_port, ("\r\n".join(head) + "\r\n\r\n").encode() + body)

    for kinds in ([], ["Content-Type: text/plain;charset=UTF-8"],
                  ["Content-Type: application/x-www-form-urlencoded"],
                  ["Content-Type: application/json; charset=gbk"],
                  ["Content-Type: application/json", "Content-Type: text/plain"]):  # fmt: skip
        status, answer, headers = sent(*kinds)
        assert status == 415 and answer["code"] == INVALID, (kinds, answer)
        assert violation(answer) == "Content-Type" and "application/json" in answer["message"]
        assert headers["Accept-Post"] == "application/json; charset=utf-8"
    for kind in (
        "application/json",
        'Application/JSON; charset="UTF-8"',
        "application/json;charset=utf8",
    ):
        assert sent(f"Content-Type: {kind}")[0] == 200, kind
    empty = "GET /v1/model HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    assert raw(web.http_port, empty.encode())[0] == 200  # no body: nothing to label
    if shutil.which("curl"):  # curl -d as docs/http.md used it: the message says the fix
        out = subprocess.run(
            ["curl", "-sS", "-X", "POST", f"http://127.0.0.1:{web.http_port}/v1/classify",
             "-d", body.decode(), "-w", "\n%{http_code}"],
            capture_output=True, check=True, timeout=60, text=True,
        ).stdout  # fmt: skip
        text, status = out.rsplit("\n", 1)
        assert status == "415" and "-H 'Content-Type: application/json'" in text, out


def test_a_connection_past_the_queue_gets_a_json_status_503(model_dir: Path) -> None:
    """Past --max-streams threads and 64 waiting, a connection is answered 503 at once: with a
    google.rpc.Status body, as every other error (it had an empty body, which a JSON client, the
    newsroom page among them, could not read), and counted in newsdesk_refusals_total."""
    held: list[socket.socket] = []
    with serving_http(model_dir, max_streams=4) as srv:
        try:
            for _ in range(4 + 64):  # idle connections: each holds a thread or a place
                held.append(socket.create_connection(("127.0.0.1", srv.http_port)))
            time.sleep(0.5)  # the accepting thread has taken them all
            with socket.create_connection(("127.0.0.1", srv.http_port), timeout=30) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = http.client.HTTPResponse(sock)
                answer.begin()
                text = answer.read()
            assert answer.status == 503, text
            assert answer.getheader("Content-Type").startswith("application/json")
            assert answer.getheader("Retry-After") == "1"
            body = json.loads(text)
            assert body["code"] == grpc.StatusCode.UNAVAILABLE.value[0] and body["details"] == []
            assert "retry shortly" in body["message"]
            # counted as a refusal (it was invisible to an operator: no metric, no log line)
            labels = {"method": "http", "reason": "connections"}
            assert srv.metrics.registry.get_sample_value("newsdesk_refusals_total", labels) == 1
        finally:
            for sock in held:
                sock.close()
