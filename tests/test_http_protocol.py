"""HTTP/1.1 at the edges (a new user's audit): bodies too deep to read, unknown paths and verbs,
http.server's own refusals, Content-Length that is missing or contradicts itself. A real server
on 127.0.0.1; requests through urllib, or as raw bytes on a socket where no client would send
them."""

from __future__ import annotations

import http.client
import json
import socket
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
    for path, allow in [("/v1/classify", "POST"), ("/v1/model", "GET"), ("/healthz", "GET, HEAD")]:
        status, answer, headers = call(web.http_port, path, BODY, method=method)
        assert (status, headers.get("Allow")) == (405, allow), (path, answer)
        assert answer["code"] == unimplemented and headers["Content-Type"].startswith(
            "application/json"
        )
    status, answer, _ = call(web.http_port, "/v1/nothing", BODY, method=method)
    assert status == 404 and answer["code"] == grpc.StatusCode.NOT_FOUND.value[0]


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
