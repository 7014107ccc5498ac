"""HTTP/JSON beside gRPC: a real server on 127.0.0.1 with --http-address, real requests."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import grpc
import pytest
from google.protobuf import json_format

from service._proto.newsdesk.v1 import newsdesk_pb2 as pb
from service._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from service.errors import InvalidInput
from service.http import gateway
from service.http.app import ROUTES
from service.http.gateway import HTTP_STATUS
from service.rpc import add_serve_arguments, config_from_args, create_server
from tests.openapi_check import problems
from tests.servers import (
    LEAD_AND_NO_LEAD,
    MAX_MESSAGE,
    NO_LEAD_WARNING,
    config,
    free_port,
    gold_articles,
    self_signed,
    serving_http,
    wait_until,
)

TOKEN = "s3cret-for-tests"
JSON = {"Content-Type": "application/json"}


def call(
    port: int,
    path: str,
    body: object = None,
    *,
    token: str | None = None,
    raw: bytes | None = None,
    method: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict, dict]:
    """(status, JSON body, headers) of one request; errors are answers too."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            status, text, headers = answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        status, text, headers = exc.code, exc.read(), dict(exc.headers)
    try:
        return status, json.loads(text), headers
    except ValueError:
        return status, {"raw": text.decode()}, headers


def violation(status_body: dict) -> str:
    """The BadRequest field of a google.rpc.Status JSON body."""
    for detail in status_body.get("details", []):
        if detail["@type"].endswith("google.rpc.BadRequest"):
            return detail["field_violations"][0]["field"]
    return ""


def as_json(message) -> dict:
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


@pytest.fixture(scope="module")
def web(model_dir: Path):
    with serving_http(model_dir, metrics_port=free_port()) as srv:
        yield srv


@pytest.fixture(scope="module")
def stub(web):
    with grpc.insecure_channel(f"127.0.0.1:{web.port}") as channel:
        yield pb_grpc.NewsDeskStub(channel)


def test_curl_on_the_sample_page_gives_what_analyse_page_gives(web, stub, sample_page) -> None:
    """The acceptance check: the same articles, labels and leads as the gRPC AnalysePage."""
    body = json.dumps({"text": sample_page, "explain": 3, "keywords": 3}, ensure_ascii=False)
    if shutil.which("curl"):
        out = subprocess.run(
            ["curl", "-sS", "-X", "POST", f"http://127.0.0.1:{web.http_port}/v1/analyse-page",
             "-H", "Content-Type: application/json", "--data-binary", "@-"],
            input=body.encode(), capture_output=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        answer = json.loads(out)
    else:
        status, answer, _ = call(web.http_port, "/v1/analyse-page", raw=body.encode())
        assert status == 200
    grpc_answer = stub.AnalysePage(pb.AnalysePageRequest(text=sample_page, explain=3, keywords=3))
    assert answer == as_json(grpc_answer)
    labels = [a["classification"]["label"] for a in answer["articles"]]
    assert labels == ["leadership", "leadership", "commentary", "industry", "education"]
    for article in answer["articles"]:
        lead = article["summary"]
        assert lead["lead"] and lead["spans"]
        assert all(sample_page[s["start"] : s["end"]] in lead["lead"] for s in lead["spans"])


def _out_of_order(descriptor, value: dict, where: str = "") -> list[str]:
    """Objects of `value` whose keys do not follow their message's fields in proto order."""
    order = [f.name for f in descriptor.fields if f.name in value]
    bad = [where or "/"] if list(value)[: len(order)] != order else []
    for f in descriptor.fields:
        kind = f.message_type
        if f.name not in value or kind is None or kind.GetOptions().map_entry:
            continue
        items = value[f.name] if isinstance(value[f.name], list) else [value[f.name]]
        for i, item in enumerate(items):
            bad += _out_of_order(kind, item, f"{where}/{f.name}[{i}]")
    return bad


def test_json_fields_come_in_the_protos_order(web, sample_page) -> None:
    # MessageToDict lists the fields set before those left at their default: an article with
    # no kicker had `kicker` after `furniture`, one with a kicker had it after `title`.
    body = {"text": sample_page, "explain": 2, "keywords": 2}
    status, answer, _ = call(web.http_port, "/v1/analyse-page", body)
    assert status == 200
    assert any(a["kicker"] == "" for a in answer["articles"])  # (a field at its default)
    assert _out_of_order(pb.AnalysePageResponse.DESCRIPTOR, answer) == []
    assert answer["warnings"] == []  # (an empty list, as every repeated field at its default)


def test_a_page_of_columns_side_by_side_carries_its_warning(web) -> None:
    from tests.test_side_by_side import side_by_side_page

    status, answer, _ = call(web.http_port, "/v1/analyse-page", {"text": side_by_side_page()})
    assert status == 200 and answer["articles"]
    assert len(answer["warnings"]) == 1 and "side by side" in answer["warnings"][0]


def test_classify_and_summarise_equal_grpc(web, stub, data_dir) -> None:
    articles = gold_articles(data_dir, 12)
    status, answer, headers = call(web.http_port, "/v1/classify", {"articles": articles})
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    expected = stub.Classify(pb.ClassifyRequest(articles=[pb.Article(**a) for a in articles]))
    assert answer == as_json(expected)
    # input takes the JSON mapping's lowerCamel names too
    body = {"articles": articles[:3], "options": {"maxSentences": 1}}
    status, answer, _ = call(web.http_port, "/v1/summarise", body)
    request = pb.SummariseRequest(articles=[pb.Article(**a) for a in articles[:3]])
    request.options.max_sentences = 1
    assert status == 200 and answer == as_json(stub.Summarise(request))


def test_an_html_article_reads_as_its_text_over_http_and_grpc(web, stub) -> None:
    """A CMS export's article (`service.html_text`): the lead without its tags, its spans into
    the text sent, the same over HTTP and gRPC (before, the lead opened on `<p>本报讯&nbsp;`)."""
    from tests.test_html_text import TEXT, TITLE

    article = {"id": "h1", "title": TITLE, "text": TEXT, "kicker": "<i>教育</i>"}
    status, answer, _ = call(web.http_port, "/v1/summarise", {"articles": [article]})
    assert status == 200 and answer == as_json(
        stub.Summarise(pb.SummariseRequest(articles=[pb.Article(**article)]))
    )
    (result,) = answer["results"]
    assert result["lead"].startswith("12月3日，我市召开") and "<" not in result["lead"]
    assert "".join(TEXT[s["start"] : s["end"]] for s in result["spans"]) == result["lead"]


def test_an_empty_leads_warning_is_in_the_json_as_over_grpc_and_locally(web, stub, local) -> None:
    """/v1/summarise says why a lead is empty (`warnings`), as gRPC and the local run do; a
    summary with a lead has an empty list."""
    from service import pipeline
    from service.jsonl import read_records

    body = {"articles": LEAD_AND_NO_LEAD, "options": {"max_chars": 10}}
    status, answer, _ = call(web.http_port, "/v1/summarise", body)
    request = pb.SummariseRequest(articles=[pb.Article(**a) for a in LEAD_AND_NO_LEAD])
    request.options.max_chars = 10
    assert status == 200 and answer == as_json(stub.Summarise(request))
    assert [r["warnings"] for r in answer["results"]] == [[], [NO_LEAD_WARNING]]
    lines = [json.dumps(a, ensure_ascii=False) for a in LEAD_AND_NO_LEAD]
    records = [r for _, r in read_records(lines)]
    here = pipeline.process_records(records, local, labels=False, summarise=True, max_chars=10)
    assert [(r["lead"], r.get("warnings", [])) for r in answer["results"]] == [
        (h["lead"], h.get("warnings", [])) for h in here
    ]
    assert [[[s["start"], s["end"]] for s in r["spans"]] for r in answer["results"]] == [
        [[0, 9]],
        [],
    ]


def test_bad_requests_get_a_4xx_status_body_naming_the_field(web) -> None:
    port = web.http_port
    cases = [
        ({"articles": [{"title": "t", "text": "  "}]}, "articles[0].text"),
        ({"articles": [{"txt": "贵阳"}]}, "articles[0].txt"),
        ({"articles": [{"text": "贵阳"}, {"text": 123}]}, "articles[1].text"),  # which item
        ({"articles": [{"text": "贵阳"}, 5]}, "articles[1]"),
        ({"articles": []}, "articles"),
        ({"articles": [{"text": "贵阳"}], "explain": -1}, "explain"),
        ({"text": "贵阳", "options": {"max_sentences": 1000}}, "options.max_sentences"),
    ]
    for body, field in cases:
        path = "/v1/analyse-page" if "text" in body else "/v1/classify"
        status, answer, _ = call(port, path, body)
        assert status == 400, (body, answer)
        assert answer["code"] == grpc.StatusCode.INVALID_ARGUMENT.value[0]
        assert violation(answer) == field, answer
        assert answer["message"]
    status, answer, _ = call(port, "/v1/classify", raw=b"{not json")
    assert status == 400 and violation(answer) == "body"
    status, answer, _ = call(port, "/v1/classify", raw=b"[1, 2]")
    assert status == 400 and violation(answer) == "body"


def test_an_item_that_is_not_an_object_is_named_as_such() -> None:
    """`{"articles": ["abc"]}` was read as an Article with a field named "a" (field
    `articles[0].a`, "no field named"); a string, number, list or null where a message goes is
    refused naming the item and what it should be."""
    cases = [
        (pb.ClassifyRequest, {"articles": ["abc"]}, "articles[0]"),
        (pb.ClassifyRequest, {"articles": [{"text": "贵阳"}, None]}, "articles[1]"),
        (pb.AnalysePageRequest, {"text": "贵阳", "options": "ab"}, "options"),
        (pb.AnalysePageRequest, {"text": "贵阳", "options": [1]}, "options"),
    ]
    for request, body, field in cases:
        with pytest.raises(InvalidInput, match="must be a JSON object") as caught:
            gateway.parse(json.dumps(body).encode(), request())
        assert caught.value.field == field, (body, caught.value)
    parsed = gateway.parse(
        b'{"text": "x", "options": {"maxSentences": 2}}', pb.AnalysePageRequest()
    )
    assert parsed.options.max_sentences == 2


def test_a_field_given_twice_is_refused_not_read_last_wins(web) -> None:
    """A key twice in one object, or a field under its proto and its lowerCamel name, was read
    in silence, the last one winning (i169's audit)."""
    port = web.http_port
    cases = [
        (b'{"articles": [{"text": "a", "text": "b"}]}', "body", '"text" appears twice'),
        (
            b'{"text": "x", "explain": 1, "explain_label": "a", "explainLabel": "b"}',
            "explain_label",
            "given twice, as 'explain_label' and 'explainLabel'",
        ),
        (
            b'{"text": "x", "options": {"max_sentences": 2, "maxSentences": 3}}',
            "options.max_sentences",
            "given twice",
        ),
    ]
    for raw, field, said in cases:
        path = "/v1/classify" if b"articles" in raw else "/v1/analyse-page"
        status, answer, _ = call(port, path, raw=raw)
        assert status == 400, (raw, answer)
        assert violation(answer) == field and said in answer["message"], answer
    status, _, _ = call(
        port, "/v1/analyse-page", raw=b'{"text": "x", "options": {"maxSentences": 2}}'
    )
    assert status == 200  # (one name, either spelling: read as before)


def test_a_number_where_a_string_goes_is_told_to_quote_it() -> None:
    """An integer id (the CLI and the Python client take one) came back as json_format's
    "Failed to parse id field: expected string or bytes-like object, got 'int'"."""
    body = {"articles": [{"text": "贵阳"}, {"id": 7, "text": "贵阳"}]}
    with pytest.raises(InvalidInput) as caught:
        gateway.parse(json.dumps(body).encode(), pb.ClassifyRequest())
    assert caught.value.field == "articles[1].id"
    assert str(caught.value) == 'articles[1].id must be a JSON string, got 7: quote it ("7")'
    with pytest.raises(InvalidInput, match=r"^explain_label must be a JSON string, got 1\.5"):
        gateway.parse(b'{"text": "x", "explain_label": 1.5}', pb.AnalysePageRequest())


def test_a_body_over_the_limit_is_413_and_unknown_routes_404(web) -> None:
    # between the limit and twice it: read and dropped, so the client gets the 413 (a body
    # larger still is cut off unread, and the client may see a reset instead)
    big = {"articles": [{"text": "a" * (MAX_MESSAGE * 3 // 2)}]}
    status, answer, _ = call(web.http_port, "/v1/classify", big)
    assert status == 413 and answer["code"] == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]
    assert answer["message"].endswith("send fewer articles per request"), answer
    status, answer, _ = call(web.http_port, "/v1/nothing")
    assert status == 404 and answer["code"] == grpc.StatusCode.NOT_FOUND.value[0]
    status, answer, headers = call(web.http_port, "/v1/classify", method="GET")
    assert status == 405 and headers["Allow"] == "POST"


def test_a_page_over_the_limit_is_told_to_split_the_page_not_to_send_fewer_articles(web):
    """/v1/analyse-page's 413 said "send fewer articles per request": a page is one text."""
    text = "a" * (MAX_MESSAGE * 3 // 2)  # between the limit and twice it: read, then refused
    status, answer, _ = call(web.http_port, "/v1/analyse-page", {"text": text})
    assert status == 413 and "articles" not in answer["message"], answer
    assert answer["message"].endswith("split the page and send its parts in separate requests")
    conn = http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=60)  # chunked too
    body = json.dumps({"text": text}).encode()
    parts = (body[i : i + 65536] for i in range(0, len(body), 65536))
    conn.request("POST", "/v1/analyse-page", body=parts, encode_chunked=True, headers=JSON)
    answer = conn.getresponse()
    message = json.loads(answer.read())["message"]
    conn.close()
    assert answer.status == 413 and message.endswith("send its parts in separate requests")


def test_a_413_is_counted_and_logged_as_a_size_refusal(web, caplog) -> None:
    """docs/http.md: refusals count in newsdesk_refusals_total{method,reason} and are logged as
    gRPC's are; a body over --max-message-bytes (Content-Length or chunked) was answered 413
    and then neither counted nor logged: an operator saw only an http_requests_total 413."""
    import logging

    def refusals() -> float:
        url = f"http://127.0.0.1:{web.metrics_port}/metrics"
        for line in urllib.request.urlopen(url, timeout=5).read().decode().splitlines():
            if line.startswith('newsdesk_refusals_total{method="Summarise",reason="size"}'):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    caplog.set_level(logging.INFO, logger="newsdesk.server")
    before = refusals()
    body = json.dumps({"articles": [{"text": "a" * (MAX_MESSAGE * 3 // 2)}]}).encode()
    assert call(web.http_port, "/v1/summarise", raw=body)[0] == 413
    conn = http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=60)
    parts = (body[i : i + 65536] for i in range(0, len(body), 65536))
    conn.request("POST", "/v1/summarise", body=parts, encode_chunked=True, headers=JSON)
    assert conn.getresponse().status == 413
    conn.close()
    assert refusals() == before + 2
    logged = [r for r in caplog.records if r.msg == "refused" and r.method == "Summarise"]
    assert logged and logged[0].reason == "size" and "--max-message-bytes" in logged[0].note


def test_a_request_past_its_deadline_is_504_and_the_worker_goes_on(web) -> None:
    """X-Server-Timeout is the HTTP twin of a gRPC deadline: past it the call stops between
    chunks and answers DEADLINE_EXCEEDED; a bad value is a 400 naming the header; the same
    request with room to spare is answered as without it."""
    port = web.http_port
    text = "贵阳市召开全市工作会议，研究部署下一阶段重点工作。会议强调，要狠抓落实。" * 4
    body = {"articles": [{"id": str(i), "text": text} for i in range(12)]}  # three lead chunks
    status, answer, _ = call(port, "/v1/summarise", body, headers={"X-Server-Timeout": "1e-9"})
    assert status == 504, answer
    assert answer["code"] == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
    assert "X-Server-Timeout" in answer["message"]
    for bad in ("0", "-1", "soon", "nan", "inf", "1_0"):  # (float() read "1_0" as 10)
        status, answer, _ = call(port, "/v1/classify", body, headers={"X-Server-Timeout": bad})
        assert status == 400 and violation(answer) == "X-Server-Timeout", (bad, answer)
    page = {"text": "\n\n".join(f"## 标题{i}\n\n{text}" for i in range(3))}
    status, answer, _ = call(port, "/v1/analyse-page", page, headers={"X-Server-Timeout": "1e-9"})
    assert status == 504 and answer["code"] == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
    status, plain, _ = call(port, "/v1/summarise", body)
    status_t, timed, _ = call(port, "/v1/summarise", body, headers={"X-Server-Timeout": "120"})
    assert status == status_t == 200 and timed == plain


def test_a_bad_timeout_header_is_answered_after_the_body_is_read(web) -> None:
    """A bad X-Server-Timeout was refused with the body left unread and the connection closed:
    the kernel then reset it under a client still sending, which saw a broken pipe, not the
    400. The body (within the limit) is now read and dropped first, as for a 413."""
    body = json.dumps({"articles": [{"text": "a" * (MAX_MESSAGE - 100)}]}).encode()
    head = (
        "POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"X-Server-Timeout: 0\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", web.http_port), timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # the body waits on the server
        sock.sendall(head)
        time.sleep(0.2)  # the server has answered before the body is sent
        sock.sendall(body)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert b"X-Server-Timeout" in reply


def _refused_early(port: int, verb: str, path: str, token: str | None = None) -> bytes:
    """The reply to a body of nearly --max-message-bytes sent after the server has answered
    from the request's head alone (the socket's small send buffer keeps the body waiting)."""
    body = json.dumps({"articles": [{"text": "a" * (MAX_MESSAGE - 100)}]}).encode()
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (
        f"{verb} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{auth}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        sock.sendall(head)
        time.sleep(0.2)  # the server has answered before the body is sent
        sock.sendall(body)  # (a reset here, before the fix: BrokenPipe/ConnectionReset)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def test_refusals_before_the_body_read_it_first_so_the_client_sees_them(model_dir) -> None:
    """No token, a wrong verb, no such route: each was answered with the body left unread and
    the connection closed, so a client still sending a large page met a broken pipe, not the
    401/405/404 that said what was wrong. A body framed by its Content-Length is now dropped."""
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0", token=TOKEN))
    srv.start()
    try:
        port = srv.http_port
        reply = _refused_early(port, "POST", "/v1/analyse-page")
        assert reply.startswith(b"HTTP/1.1 401"), reply[:200]
        assert b"Authorization: Bearer" in reply
        reply = _refused_early(port, "POST", "/v1/analyse-page", token="wrong")
        assert reply.startswith(b"HTTP/1.1 401"), reply[:200]
        reply = _refused_early(port, "PUT", "/v1/classify", token=TOKEN)
        assert reply.startswith(b"HTTP/1.1 405"), reply[:200]
        reply = _refused_early(port, "POST", "/v1/nothing", token=TOKEN)
        assert reply.startswith(b"HTTP/1.1 404"), reply[:200]
        assert call(port, "/v1/model", token=TOKEN)[0] == 200  # and it goes on serving
    finally:
        srv.stop(0).wait()


def test_a_client_that_hangs_up_stops_the_work_and_is_logged_499(web, sample_page, caplog):
    """A client gone before its answer (closed its connection) stops costing the model at the
    next chunk, as a gRPC cancel does; nothing is written, and the server goes on."""
    import logging

    caplog.set_level(logging.INFO, logger="newsdesk.http")
    body = json.dumps({"text": "\n\n".join([sample_page] * 6)}).encode()  # eight lead chunks
    with socket.create_connection(("127.0.0.1", web.http_port), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/analyse-page HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    # closed before any answer could come

    def logged() -> list:
        return [r for r in caplog.records if getattr(r, "route", "") == "/v1/analyse-page"]

    assert wait_until(lambda: logged(), timeout=30)
    (record,) = logged()
    assert (record.status, record.code) == (499, "CANCELLED")
    assert call(web.http_port, "/v1/model")[0] == 200


def test_an_error_is_logged_with_its_reason(web, caplog) -> None:
    """A failed call's `http` line says why (`note`, the Status message), as gRPC's `rpc` line
    does: a bare `status=400 code=INVALID_ARGUMENT` told the on-call engineer nothing."""
    import logging

    caplog.set_level(logging.INFO, logger="newsdesk.http")
    caplog.clear()
    assert call(web.http_port, "/v1/classify", {"articles": [{"id": "a1", "text": ""}]})[0] == 400
    assert call(web.http_port, "/v1/classify", {"articles": [{"text": "学校开学了。"}]})[0] == 200

    def logged() -> list:  # (a line is written once its answer is sent: wait for it)
        return [r for r in caplog.records if getattr(r, "route", "") == "/v1/classify"]

    assert wait_until(lambda: len(logged()) >= 2)
    lines = {r.status: r for r in logged()}  # (two threads: either may log first)
    assert sorted(lines) == [200, 400]
    assert lines[400].note == "articles[0].text is empty: send the article's text"
    assert not hasattr(lines[200], "note")


def test_with_tls_flags_the_http_front_speaks_https_only(tmp_path: Path, model_dir: Path) -> None:
    """--tls-cert/--tls-key cover the HTTP address too: a client trusting the certificate
    gets the page, the probes and the API; plain HTTP gets no answer, and the server goes on."""
    import ssl

    cert, key = self_signed(tmp_path)
    srv, _ = create_server(
        config(model_dir, http_address="127.0.0.1:0", tls_cert=cert, tls_key=key, token=TOKEN)
    )
    srv.start()
    try:
        base = f"https://127.0.0.1:{srv.http_port}"
        trusted = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(f"{base}/healthz", timeout=10, context=trusted) as answer:
            assert answer.status == 200
        request = urllib.request.Request(
            f"{base}/v1/classify",
            data=json.dumps({"articles": [{"text": "贵阳市召开会议，研究部署工作。"}]}).encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30, context=trusted) as answer:
            assert json.loads(answer.read())["results"][0]["label"]
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            urllib.request.urlopen(f"http://127.0.0.1:{srv.http_port}/healthz", timeout=10)
        with pytest.raises(urllib.error.URLError):  # an untrusted certificate is refused
            urllib.request.urlopen(f"{base}/healthz", timeout=10)
        with urllib.request.urlopen(f"{base}/", timeout=10, context=trusted) as answer:
            assert answer.status == 200 and b"<html" in answer.read().lower()
    finally:
        srv.stop(0).wait()


def test_status_table_is_grpc_gateways() -> None:
    assert len(HTTP_STATUS) == len(grpc.StatusCode)  # every code has a status
    table = {code.name: status for code, status in HTTP_STATUS.items()}
    assert table["INVALID_ARGUMENT"] == table["FAILED_PRECONDITION"] == table["OUT_OF_RANGE"] == 400
    assert (table["UNAUTHENTICATED"], table["RESOURCE_EXHAUSTED"], table["CANCELLED"]) == (
        401, 429, 499,
    )  # fmt: skip
    assert (table["DEADLINE_EXCEEDED"], table["UNAVAILABLE"], table["INTERNAL"]) == (504, 503, 500)


def test_get_model_hides_the_path_unless_asked(web, stub, model_dir: Path) -> None:
    status, info, _ = call(web.http_port, "/v1/model")
    assert status == 200 and info["path"] == "" and info["sha256"] and info["version"] != ""
    assert info == as_json(stub.GetModel(pb.GetModelRequest()))
    srv, port = create_server(config(model_dir, model_path_in_info=True))
    srv.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            shown = pb_grpc.NewsDeskStub(channel).GetModel(pb.GetModelRequest())
    finally:
        srv.stop(0).wait()
    assert shown.path == str(model_dir)


def test_probes_and_the_metrics_port(web) -> None:
    for port in (web.http_port, web.metrics_port):
        assert call(port, "/healthz")[:2] == (200, {"status": "ok"})
        status, ready, _ = call(port, "/readyz")
        assert status == 200 and ready["status"] == "ready" and ready["probe_label"]
    call(web.http_port, "/v1/classify", {"articles": [{"title": "标题", "text": "学校开学了。"}]})
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{web.metrics_port}/metrics", timeout=5)
    text = metrics.read().decode()
    assert 'newsdesk_http_requests_total{route="/v1/classify",status="200"}' in text
    assert 'newsdesk_http_request_seconds_count{route="/v1/classify"}' in text
    for path in ("/", "/foo", "/metricsx"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://127.0.0.1:{web.metrics_port}{path}", timeout=5)
        assert caught.value.code == 404


def test_a_hundred_clients_connecting_at_once_are_all_answered(web) -> None:
    # The listen backlog was socketserver's 5: of 100 clients posting at once (a queue of 64
    # and 64 threads behind it), 26-58 were answered and the rest read "connection reset".
    body = json.dumps({"articles": [{"title": "标题", "text": "学校开学了，学生们回到课堂。"}]})
    start, seen, lock = threading.Barrier(100), [], threading.Lock()

    def post() -> None:
        start.wait()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=60)
            conn.request("POST", "/v1/classify", body.encode(), JSON)
            answer = conn.getresponse()
            answer.read()
            status: int | str = answer.status
            conn.close()
        except OSError as exc:
            status = type(exc).__name__
        with lock:
            seen.append(status)

    threads = [threading.Thread(target=post) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen, key=str) == [200] * 100, sorted(seen, key=str)


def test_the_metrics_port_closes_an_idle_connection_and_answers_head(web) -> None:
    # A connection opened and left silent held a thread of the metrics server for good (it
    # starts one per connection); HEAD, which every GET route must take (RFC 9110), was 501.
    from service.http.pool import IDLE_S

    idle = socket.create_connection(("127.0.0.1", web.metrics_port), timeout=IDLE_S + 10)
    with idle:
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server, not by our timeout
        assert time.monotonic() - started < IDLE_S + 5
    for path in ("/healthz", "/readyz", "/metrics"):
        conn = http.client.HTTPConnection("127.0.0.1", web.metrics_port, timeout=5)
        conn.request("HEAD", path)
        answer = conn.getresponse()
        assert answer.status == 200 and int(answer.getheader("Content-Length")) > 0, path
        assert answer.read() == b""
        conn.close()


def test_the_metrics_port_says_stopping_through_the_drain(model_dir: Path) -> None:
    """docs/http.md: /healthz and /readyz answer 503 once shutdown begins, on the metrics port
    too; it was closed at the stop's first moment, so probes met a refused connection and the
    drain's last calls were never scraped."""
    srv, port = create_server(config(model_dir, metrics_port=free_port(), grace=10))
    srv.start()
    metrics_port = srv.metrics_port
    gate = threading.Event()

    def held():
        yield pb.Article(id="0", title="标题", text="学校开学了。")
        gate.wait(10)  # the stream stays in flight across the stop

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stream = pb_grpc.NewsDeskStub(channel).ClassifyStream(held())
        assert next(stream).id == "0"
        done = srv.stop()
        try:
            assert not done.is_set()
            for path in ("/healthz", "/readyz"):
                assert call(metrics_port, path)[:2] == (503, {"status": "stopping"}), path
            scrape = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
            assert b"newsdesk_in_flight 1.0" in scrape.read()
        finally:
            gate.set()
        assert list(stream) == []
        assert done.wait(10)
    with pytest.raises(OSError):  # released once the drain is done
        socket.create_connection(("127.0.0.1", metrics_port), timeout=2).close()


def test_the_http_address_stops_listening_when_the_drain_begins(model_dir: Path) -> None:
    """docs/http.md: on SIGTERM the HTTP address stops listening at once. While an HTTP
    connection was still open its socket stayed open through the --grace, so a new client's
    connection was taken by the kernel and hung unanswered until the drain ended, instead of
    being refused (a balancer tries the next replica at once on a refusal, and waits out its
    own timeout on a hang)."""
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0", grace=10))
    srv.start()
    http_port, front = srv.http_port, srv.front
    slow = socket.create_connection(("127.0.0.1", http_port))
    try:  # a request still arriving: its connection holds a thread through the drain
        slow.sendall(
            b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 50\r\n\r\n{"
        )
        # past the stopping check, reading its body (its 50 bytes reserved): a stop that came
        # before the handler's check was answered 503 at once and the drain ended, under load
        assert wait_until(lambda: front.httpd._waiting == 1 and srv.budget.used == 50)
        done = srv.stop()
        assert wait_until(lambda: front.closing)
        assert wait_until(lambda: _refused(http_port), timeout=5)
        assert not done.is_set()  # refused while the drain still runs
    finally:
        slow.close()
    assert done.wait(15)


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    except OSError:  # taken by the kernel and left unanswered (timed out)
        return False
    return False


def test_readyz_says_no_until_a_model_answers(tmp_path: Path) -> None:
    srv, _ = create_server(config(tmp_path / "no-model", http_address="127.0.0.1:0"))
    srv.start()
    try:
        assert call(srv.http_port, "/healthz")[0] == 200
        status, ready, _ = call(srv.http_port, "/readyz")
        assert status == 503 and ready["status"] == "no model loaded"
        status, answer, _ = call(srv.http_port, "/v1/classify", {"articles": [{"text": "贵阳"}]})
        assert status == 400 and answer["code"] == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    finally:
        srv.stop(0).wait()


def test_the_token_guards_the_api_not_the_page_or_probes(model_dir: Path) -> None:
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0", token=TOKEN))
    srv.start()
    try:
        port, body = srv.http_port, {"articles": [{"title": "标题", "text": "学校开学了。"}]}
        for token in (None, "wrong"):
            status, answer, headers = call(port, "/v1/classify", body, token=token)
            assert status == 401 and headers["WWW-Authenticate"] == "Bearer"
            assert answer["code"] == grpc.StatusCode.UNAUTHENTICATED.value[0]
        assert call(port, "/v1/model")[0] == 401
        assert call(port, "/v1/classify", body, token=TOKEN)[0] == 200
        for scheme in ("bearer", "BEARER"):  # auth schemes are case-insensitive (RFC 9110)
            given = {"Authorization": f"{scheme} {TOKEN}"}
            assert call(port, "/v1/classify", body, headers=given)[0] == 200, scheme
        assert call(port, "/v1/model", headers={"Authorization": f"Basic {TOKEN}"})[0] == 401
        for path in ("/healthz", "/readyz", "/v1/openapi.json"):
            assert call(port, path)[0] == 200, path
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status == 200 and b"newsroom.js" in page.read()
    finally:
        srv.stop(0).wait()


def test_a_connection_kept_alive_from_before_a_stop_is_refused_503(model_dir: Path) -> None:
    """The listener closes on stop; a browser's kept-alive connection must not go on being
    served as if nothing happened (the newsroom page analysed a page on a stopped server)."""
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0"))
    srv.start()
    conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
    body = json.dumps({"articles": [{"title": "标题", "text": "学校开学了。"}]})
    try:
        conn.request("POST", "/v1/classify", body, JSON)
        first = conn.getresponse()
        assert first.status == 200 and first.read()
        srv.stop(0).wait()
        conn.request("POST", "/v1/classify", body, JSON)  # the same connection
        reply = conn.getresponse()
        answer = json.loads(reply.read())
        assert reply.status == 503 and reply.getheader("Retry-After") == "1"
        assert answer["code"] == grpc.StatusCode.UNAVAILABLE.value[0]
        assert "stopping" in answer["message"]
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/healthz", "/v1/openapi.json", "/"])
def test_an_open_route_s_answer_once_stopping_closes_its_connection(model_dir, path) -> None:
    """A probe or a page file asked on a kept-alive connection once the server is stopping is
    answered with `Connection: close` and the connection closed: kept alive, it held its HTTP
    thread (and the front's count of connections) idle for 15 s past the drain."""
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0"))
    srv.start()
    front = srv.front
    conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
    try:
        conn.request("GET", path)
        first = conn.getresponse()
        assert first.status == 200 and first.read() and first.getheader("Connection") is None
        srv.stop(0).wait()
        conn.request("GET", path)  # the same connection
        reply = conn.getresponse()
        reply.read()
        assert reply.getheader("Connection") == "close", path
        assert wait_until(lambda: front.httpd._waiting == 0, timeout=5)
    finally:
        conn.close()


def test_a_slow_client_holds_no_worker(model_dir: Path) -> None:
    """One worker; a client that sends headers and trickles nothing must not block the API."""
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0", workers=1))
    srv.start()
    slow = socket.create_connection(("127.0.0.1", srv.http_port))
    try:
        slow.sendall(
            b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000\r\n\r\n{"
        )
        started = time.monotonic()
        body = {"articles": [{"title": "标题", "text": "学校开学了。"}]}
        assert call(srv.http_port, "/v1/classify", body)[0] == 200
        assert time.monotonic() - started < 5
    finally:
        slow.close()
        srv.stop(0).wait()


def test_openapi_covers_every_route_with_schemas_from_the_proto(web) -> None:
    status, doc, _ = call(web.http_port, "/v1/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")
    for path, route in ROUTES.items():
        operation = doc["paths"][path][route.verb.lower()]
        assert operation["operationId"] == route.rpc
        assert "default" in operation["responses"]
    schemas = doc["components"]["schemas"]
    refs = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"].rsplit("/", 1)[1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs and refs <= set(schemas)
    article = schemas["newsdesk.v1.Article"]["properties"]
    assert set(article) == {f.name for f in pb.Article.DESCRIPTOR.fields}
    # this server's limits, for a client (the newsroom page) to check before sending
    limits = web.config
    assert article["text"]["maxLength"] == article["title"]["maxLength"] == limits.max_chars
    page = schemas["newsdesk.v1.AnalysePageRequest"]["properties"]["text"]
    assert page["maxLength"] == limits.max_page_chars
    classify = schemas["newsdesk.v1.ClassifyRequest"]["properties"]["articles"]
    assert classify["maxItems"] == limits.max_articles
    body = doc["paths"]["/v1/analyse-page"]["post"]["requestBody"]
    assert body["x-max-bytes"] == limits.max_message_bytes
    assert {"code", "message", "details"} <= set(schemas["google.rpc.Status"]["properties"])


def test_openapi_says_the_fixed_bounds_the_server_checks() -> None:
    """explain/keywords over 100 and max_sentences over 50 are refused, yet the document said
    only "minimum": 0, so a client generated from it could not know (and uint32 had no top)."""
    from service.http import openapi
    from service.validation import MAX_LEAD_SENTENCES, MAX_TERMS, check_terms

    schemas = json.loads(openapi.document_bytes(ROUTES))["components"]["schemas"]
    for message in ("ClassifyRequest", "AnalysePageRequest"):
        for name in ("explain", "keywords"):
            field = schemas[f"newsdesk.v1.{message}"]["properties"][name]
            assert field["maximum"] == MAX_TERMS == check_terms(name, MAX_TERMS)
            with pytest.raises(InvalidInput):
                check_terms(name, field["maximum"] + 1)
    options = schemas["newsdesk.v1.SummaryOptions"]["properties"]
    assert options["max_sentences"]["maximum"] == MAX_LEAD_SENTENCES
    assert (
        options["max_chars"]["maximum"]
        == schemas["newsdesk.v1.Span"]["properties"]["end"]["maximum"]
        == 2**32 - 1
    )


def test_openapi_says_an_integer_may_come_as_a_string_of_digits_as_the_server_reads_it(
    web,
) -> None:
    """{"explain": "3"} was answered (the proto JSON mapping takes a string of digits for an
    integer) while the document said "type": "integer": a validating client refused it."""
    _, doc, _ = call(web.http_port, "/v1/openapi.json")
    request = doc["paths"]["/v1/classify"]["post"]["requestBody"]["content"]["application/json"]
    article = {"text": "教育部近日召开会议，部署高校毕业生就业创业工作。"}
    # ("3_0", "３" and " 3" are what Python's int reads and the document's digits do not: refused)
    cases = (("3", True), (3, True), ("three", False), (101, False), ("3_0", False), ("３", False))
    for explain, answered in (*cases, (" 3", False)):
        body = {"articles": [article], "explain": explain}
        assert (problems(doc, request["schema"], body) == []) is answered, explain
        status, answer, _ = call(web.http_port, "/v1/classify", body)
        assert (status == 200) is answered, (explain, answer)
        if answered:
            assert 0 < len(answer["results"][0]["evidence"]) <= 3
    options = doc["components"]["schemas"]["newsdesk.v1.SummaryOptions"]["properties"]
    assert options["maxChars"]["maximum"] == options["max_chars"]["maximum"]  # (alias too)


def test_openapi_says_which_request_keys_the_server_reads_and_it_reads_those_alone(
    web, sample_page
) -> None:
    """The server reads a field by its proto name or its lowerCamel one (never both) and
    refuses any other key, 400; the document said neither (no aliases, objects left open), so a
    generated client could not know explainLabel works or a misspelt key fails. Each request
    schema is now closed, names the aliases and forbids both at once; real requests agree."""
    _, doc, _ = call(web.http_port, "/v1/openapi.json")
    schemas = doc["components"]["schemas"]
    label = call(web.http_port, "/v1/model")[1]["labels"][0]
    article = {"id": "a1", "title": "教育部部署", "text": "教育部近日召开会议，部署就业工作。"}
    aliased = {  # every lowerCamel alias the document declares, each in a real request
        "/v1/classify": {"articles": [article], "explain": 2, "explainLabel": label},
        "/v1/summarise": {"articles": [article], "options": {"maxSentences": 1, "maxChars": 80}},
        "/v1/analyse-page": {"text": sample_page, "explain": 1, "explainLabel": label},
    }
    declared = {
        key
        for schema in schemas.values()
        if schema.get("additionalProperties") is False
        for key in schema["properties"]
        if key.lower() != key
    }
    assert declared == {"explainLabel", "maxSentences", "maxChars"}
    for path, body in aliased.items():
        request = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert problems(doc, request["schema"], body) == [], path
        status, answer, _ = call(web.http_port, path, body)
        assert status == 200, (path, answer)
        for wrong, field in (
            ({**body, "explainlabel": label}, "explainlabel"),  # a misspelt key
            ({**body, "explain_label": label, "explainLabel": label}, "explain_label"),
        ):
            if path == "/v1/summarise":  # (its aliases are in options)
                wrong = {**body, "options": {**body["options"], "max_chars": 9, "maxchars": 9}}
                wrong["options"].pop("maxchars" if field == "explain_label" else "max_chars")
                field = "options.max_chars" if field == "explain_label" else "options.maxchars"
            assert problems(doc, request["schema"], wrong) != [], (path, wrong)
            status, answer, _ = call(web.http_port, path, wrong)
            assert status == 400 and violation(answer) == field, (path, answer)
    # and an answer's schema stays open-ended by default (a field added later breaks no client)
    assert "additionalProperties" not in schemas["newsdesk.v1.ClassifyResponse"]


def test_real_answers_of_every_route_fit_the_served_schema_which_says_what_is_sent(
    web, sample_page
) -> None:
    """Each route's real answers, ok and error, against /v1/openapi.json as served: every field
    declared, the always-printed ones required, labels and review reasons as enums."""
    _, doc, _ = call(web.http_port, "/v1/openapi.json")
    port, labels = web.http_port, call(web.http_port, "/v1/model")[1]["labels"]
    article = {"id": "a1", "title": "教育部部署高校毕业生就业工作",
               "text": "教育部近日召开会议，部署高校毕业生就业创业工作。"}  # fmt: skip
    answers = [
        ("/v1/classify", call(port, "/v1/classify", {"articles": [article, {"text": "hello"}],
                                                     "explain": 3, "keywords": 3})),
        ("/v1/classify", call(port, "/v1/classify", {"articles": [{"id": "e", "text": ""}]})),
        ("/v1/classify", call(port, "/v1/classify", raw=b"not json")),
        ("/v1/summarise", call(port, "/v1/summarise", {"articles": LEAD_AND_NO_LEAD,
                                                       "options": {"max_chars": 10}})),
        ("/v1/analyse-page", call(port, "/v1/analyse-page", {"text": sample_page, "explain": 3,
                                                             "keywords": 3})),
        ("/v1/analyse-page", call(port, "/v1/analyse-page", {"text": sample_page},
                                  headers={"X-Server-Timeout": "0.000001"})),
        ("/v1/model", call(port, "/v1/model")),
        ("/healthz", call(port, "/healthz")),
        ("/readyz", call(port, "/readyz")),
    ]  # fmt: skip
    assert {path for path, _ in answers} == set(doc["paths"]) - {"/", "/v1/openapi.json"}
    assert {status for _, (status, _, _) in answers} == {200, 400, 504}
    schemas = {}
    for path, (status, body, _) in answers:
        (operation,) = doc["paths"][path].values()
        said = operation["responses"].get(str(status)) or operation["responses"]["default"]
        schemas[path, status] = said["content"]["application/json"]["schema"]
        assert problems(doc, schemas[path, status], body) == [], (path, status)
    # and the schema is tight: a label the model lacks, a missing field, a made-up reason fail
    ok = answers[0][1][1]
    wrong = json.loads(json.dumps(ok))
    wrong["results"][0]["scores"][0]["label"] = "sports"
    del wrong["results"][0]["review"]
    wrong["results"][1]["review_reasons"] = ["too_long"]
    found = problems(doc, schemas["/v1/classify", 200], wrong)
    assert len(found) == 3 and "sports" in " ".join(found), found
    assert doc["components"]["schemas"]["newsdesk.v1.LabelScore"]["properties"]["label"][
        "enum"] == labels  # fmt: skip


def test_http_flags_and_env_twins(monkeypatch, tmp_path: Path) -> None:
    parse = lambda *argv: config_from_args(  # noqa: E731
        add_serve_arguments(__import__("argparse").ArgumentParser()).parse_args(list(argv))
    )
    cfg = parse("--model", str(tmp_path))
    assert (cfg.http_address, cfg.metrics_host, cfg.model_path_in_info) == (
        None,
        "127.0.0.1",
        False,
    )
    cfg = parse("--model", str(tmp_path), "--http-address", "127.0.0.1:8080",
                "--metrics-host", "0.0.0.0", "--model-path-in-info")  # fmt: skip
    assert (cfg.http_address, cfg.metrics_host, cfg.model_path_in_info) == (
        "127.0.0.1:8080", "0.0.0.0", True,
    )  # fmt: skip
    monkeypatch.setenv("NEWSDESK_HTTP_ADDRESS", "127.0.0.1:9090")
    monkeypatch.setenv("NEWSDESK_MODEL_PATH_IN_INFO", "1")
    cfg = parse("--model", str(tmp_path))
    assert cfg.http_address == "127.0.0.1:9090" and cfg.model_path_in_info


def test_a_taken_http_address_is_refused_naming_the_flag(model_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        srv, _ = create_server(config(model_dir, http_address=address))
        with pytest.raises(InvalidInput) as caught:
            srv.start()
    assert caught.value.field == "http_address"
    assert wait_until(lambda: True)


def test_a_stop_is_done_only_once_http_calls_in_flight_are(model_dir: Path, sample_page) -> None:
    """The stop's event fired with gRPC's calls alone: `serve` logged `stopped` while an HTTP
    call was still being worked on (docs/http.md: HTTP calls count in the same drain)."""
    import threading

    big = {"max_page_chars": 10**6, "max_message_bytes": 32 << 20}
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0", **big))
    srv.start()
    page = (sample_page + "\n\n") * 100
    answers: list[int] = []
    worker = threading.Thread(
        target=lambda: answers.append(call(srv.http_port, "/v1/analyse-page", {"text": page})[0])
    )
    worker.start()
    assert wait_until(lambda: srv.metrics.in_flight._value.get() == 1, timeout=10)
    done = srv.stop(10)
    assert not done.wait(0.2), "the stop was done with an HTTP call still in flight"
    assert done.wait(30)
    # The answer was written before the stop was done; the client may still be reading and
    # parsing it (a hundred pages' analyses): wait for it before looking (the bare assert read
    # [] once under load).
    worker.join(30)
    assert answers == [200]


def test_an_http_call_still_working_when_the_grace_is_over_is_stopped_and_told(
    model_dir: Path, sample_page
) -> None:
    """--grace bounded gRPC's calls in flight but not HTTP's: the process waited for them to
    finish however long they took. Past the grace an HTTP call now stops at its next chunk, as
    a cancelled gRPC call does, and is answered 503 UNAVAILABLE saying why."""
    import threading

    big = {"max_page_chars": 10**6, "max_message_bytes": 32 << 20}
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0", **big))
    srv.start()
    page = (sample_page + "\n\n") * 200  # a thousand articles: many chunks of work
    answers: list[tuple[int, dict]] = []
    worker = threading.Thread(
        target=lambda: answers.append(call(srv.http_port, "/v1/analyse-page", {"text": page})[:2])
    )
    worker.start()
    assert wait_until(lambda: srv.metrics.in_flight._value.get() == 1, timeout=10)
    assert srv.stop(0.05).wait(60)
    worker.join(60)
    [(status, answer)] = answers
    assert status == 503, (status, str(answer)[:200])
    assert answer["code"] == grpc.StatusCode.UNAVAILABLE.value[0]
    assert "--grace" in answer["message"]


def test_a_connection_still_queued_at_a_stop_is_closed_and_holds_no_drain(model_dir: Path) -> None:
    """A connection waiting for one of the HTTP threads when a stop begins is cancelled. It
    stayed counted as waiting, so the drain lasted the whole --grace though every call in
    flight had ended, and its socket was never closed by the server."""
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0", grace=30))
    srv.start()
    port, front = srv.http_port, srv.front
    threads = front.httpd._threads
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(threads)]
    queued, done = None, None
    try:  # every thread held by a request still arriving, one more connection waiting
        for s in slow:
            s.sendall(
                b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 50\r\n\r\n{"
            )
        assert wait_until(lambda: front.httpd._waiting == threads)
        queued = socket.create_connection(("127.0.0.1", port))
        queued.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert wait_until(lambda: front.httpd._waiting == threads + 1)
        done = srv.stop()
        assert wait_until(lambda: front.closing)
        # Cancelled and closed, or (a call in flight refused at the stop first, its thread
        # free) answered 503: never left hanging, and never counted past the drain.
        queued.settimeout(5)
        try:
            head = queued.recv(12)
        except ConnectionResetError:
            head = b""
        assert head in (b"", b"HTTP/1.1 503")
        for s in slow:  # the calls in flight end (their clients hang up) ...
            s.close()
        # ... and the front's drain with them, not after the 30 s grace
        assert wait_until(lambda: front.httpd._waiting == 0, timeout=10)
    finally:
        for s in slow:
            s.close()
        if queued is not None:
            queued.close()
        if done is not None:
            done.wait(40)
