"""Evidence and keywords through every door: CLI, gRPC (unary, stream, page), the client."""

from __future__ import annotations

import json
import subprocess
import sys

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from service._proto.newsdesk.v1 import newsdesk_pb2 as pb
from service._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from service.errors import InvalidInput
from service.pipeline import term_fields
from service.rpc import NewsdeskClient
from tests.conftest import FIXTURES, ROOT

MODEL = ROOT / "models" / "desk"
NEWSDESK = [sys.executable, "-m", "service.cli"]
RECORDS = [
    {"id": "a", "title": "  本台评论：以改革激发 发展活力", "text": "改革是发展的动力。" * 8},
    {"id": "b", "title": "多地高校开学迎新生", "text": "各地高校迎来新生。\n\n学生们" * 9},
    {"id": "c", "text": "新能源汽车项目在园区投产，企业产值增长，带动上下游产业链发展。"},
]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*NEWSDESK, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def shipped_server():
    """The real server on loopback, serving the shipped model (HTTP/JSON on `.http_port`)."""
    from service.rpc import create_server
    from tests.servers import config

    srv, _ = create_server(config(MODEL, http_address="127.0.0.1:0"))
    srv.start()
    yield srv
    srv.stop(0).wait()


def _slices(record: dict, terms: list[dict]) -> None:
    for t in terms:
        source = record.get(t["field"]) or ""
        assert t["spans"] and all(source[a:b] == t["term"] for a, b in t["spans"]), t


def test_cli_local_server_and_client_give_the_same_evidence(shipped_server, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS))
    flags = ("--explain", "--keywords", "4")
    local = run("classify", str(src), *flags)
    remote = run("classify", str(src), *flags, "--server", f"127.0.0.1:{shipped_server.port}")
    assert local.returncode == remote.returncode == 0, local.stderr + remote.stderr
    want, got = jsonl(local.stdout), jsonl(remote.stdout)
    assert got == want
    for record in want:
        assert 1 <= len({t["term"] for t in record["evidence"]}) <= 5
        assert 1 <= len({t["term"] for t in record["keywords"]}) <= 4
        _slices(record, record["evidence"] + record["keywords"])
    assert any(t["field"] == "title" for r in want for t in r["evidence"] + r["keywords"])
    with NewsdeskClient(f"127.0.0.1:{shipped_server.port}") as client:
        unary = client.classify(RECORDS, explain=5, keywords=4)
        stream = list(client.classify_stream(iter(RECORDS), explain=5, keywords=4))
    assert unary == stream
    for record, result in zip(want, unary, strict=True):
        assert [term_fields(t) for t in result.evidence] == record["evidence"]
        assert [term_fields(t) for t in result.keywords] == record["keywords"]
        assert all(s.text == t.text for t in result.evidence for s in t.spans)
        assert [t.term for t in result.keywords] == [t["term"] for t in record["keywords"]]


def test_a_records_kicker_and_subtitle_terms_slice_their_own_fields(shipped_server, tmp_path):
    # The model reads 引题 title 副题 as one line; a word found in the kicker or subtitle comes
    # with `field` kicker/subtitle, and its spans slice that field as sent. They were sought in
    # the caller's title: none, or the title's place ("就业" at [2, 4] of the kicker "就业").
    records = [
        {"id": "k", "kicker": "就业", "title": "高校就业工作会议召开", "subtitle": "——教育部长讲话",
         "text": "教育部近日召开会议，部署高校毕业生就业创业工作。会议强调，要加强就业指导。"},
    ]  # fmt: skip
    src = tmp_path / "heads.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    flags = ("--explain", "20", "--keywords", "20")
    local = run("classify", str(src), *flags)
    remote = run("classify", str(src), *flags, "--server", f"127.0.0.1:{shipped_server.port}")
    assert local.returncode == remote.returncode == 0, local.stderr + remote.stderr
    (want,) = jsonl(local.stdout)
    assert jsonl(remote.stdout) == [want]
    terms = want["evidence"] + want["keywords"]
    assert {"kicker", "subtitle"} <= {t["field"] for t in terms}
    _slices(records[0], terms)
    with NewsdeskClient(f"127.0.0.1:{shipped_server.port}") as client:
        (result,) = client.classify(records, explain=20, keywords=20)
    assert [term_fields(t) for t in result.evidence] == want["evidence"]
    assert all(s.text == t.text for t in result.evidence + result.keywords for s in t.spans)


def test_explain_label_asks_for_another_labels_evidence(shipped_server):
    with NewsdeskClient(f"127.0.0.1:{shipped_server.port}") as client:
        (result,) = client.classify(RECORDS[:1], explain=3, explain_label="industry")
        assert result.evidence and {t.label for t in result.evidence} == {"industry"}
        with pytest.raises(InvalidInput) as caught:
            client.classify(RECORDS[:1], explain=3, explain_label="sports")
        assert caught.value.field == "explain_label"


def test_explain_label_without_explain_is_refused_naming_both_fields(shipped_server):
    # As the CLI's usage error: alone, explain_label would be dropped without a word.
    from tests.test_http import call

    a = pb.Article(title="多地高校开学迎新生", text="各地高校迎来新生。")
    with grpc.insecure_channel(f"127.0.0.1:{shipped_server.port}") as channel:
        stub = pb_grpc.NewsDeskStub(channel)
        unary = ("explain", "explain_label")
        calls = [
            (unary, lambda: stub.Classify(pb.ClassifyRequest(articles=[a], explain_label="x"))),
            (unary, lambda: stub.AnalysePage(
                pb.AnalysePageRequest(text="标题\n正文。", keywords=2, explain_label="x"))),
            (("newsdesk-explain", "newsdesk-explain-label"), lambda: list(
                stub.ClassifyStream(iter([a]), metadata=[("newsdesk-explain-label", "x")]))),
        ]  # fmt: skip
        for names, call_ in calls:
            with pytest.raises(grpc.RpcError) as caught:
                call_()
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert all(name in caught.value.details() for name in names), caught.value.details()
        # with explain it is answered, as before
        assert stub.Classify(pb.ClassifyRequest(articles=[a], explain=2, explain_label="industry"))
    status, answer, _ = call(
        shipped_server.http_port,
        "/v1/classify",
        {"articles": [{"text": "正文。"}], "explain_label": "industry"},
    )
    assert status == 400 and answer["code"] == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert "explain_label" in answer["message"] and "explain " in answer["message"]


def test_page_evidence_from_cli_equals_the_client(shipped_server):
    page_path = FIXTURES / "markdown-page.txt"
    page = page_path.read_text(encoding="utf-8")
    cli = run("analyse", str(page_path), "--json", "--explain", "5", "--keywords", "5")
    assert cli.returncode == 0, cli.stderr
    records = jsonl(cli.stdout)
    with NewsdeskClient(f"127.0.0.1:{shipped_server.port}") as client:
        results = client.analyse_page(page, explain=5, keywords=5)
    assert len(results) == len(records)
    for record, result in zip(records, results, strict=True):
        assert [term_fields(t) for t in result.evidence] == record["evidence"]
        assert [term_fields(t) for t in result.keywords] == record["keywords"]
        for t in record["evidence"] + record["keywords"]:
            assert all(page[a:b] == t["term"] for a, b in t["spans"])
    assert any(r["evidence"] for r in records)


def test_off_by_default_everywhere(shipped_server, tmp_path):
    local = run("classify", stdin=json.dumps(RECORDS[2], ensure_ascii=False) + "\n")
    assert local.returncode == 0 and "evidence" not in jsonl(local.stdout)[0]
    with grpc.insecure_channel(f"127.0.0.1:{shipped_server.port}") as channel:
        stub = pb_grpc.NewsDeskStub(channel)
        reply = stub.Classify(pb.ClassifyRequest(articles=[pb.Article(text=RECORDS[2]["text"])]))
    assert not reply.results[0].evidence and not reply.results[0].keywords


@pytest.mark.parametrize(
    ("request_kw", "field"),
    [({"explain": 101}, "explain"), ({"keywords": 1000}, "keywords")],
)
def test_too_many_terms_is_invalid_argument(shipped_server, request_kw, field):
    with grpc.insecure_channel(f"127.0.0.1:{shipped_server.port}") as channel:
        stub = pb_grpc.NewsDeskStub(channel)
        request = pb.ClassifyRequest(articles=[pb.Article(text="正文")], **request_kw)
        with pytest.raises(grpc.RpcError) as caught:
            stub.Classify(request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in caught.value.details()


def test_stream_metadata_that_is_not_a_count_is_refused(shipped_server):
    with grpc.insecure_channel(f"127.0.0.1:{shipped_server.port}") as channel:
        stub = pb_grpc.NewsDeskStub(channel)
        call = stub.ClassifyStream(
            iter([pb.Article(text="正文")]), metadata=(("newsdesk-explain", "five"),)
        )
        with pytest.raises(grpc.RpcError) as caught:
            list(call)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("metadata", "says", "info"),
    [
        ((("newsdesk-explain", "101"),), "must be a whole number from 0 (off) to 100", "100"),
        ((("newsdesk-keywords", "101"),), "must be a whole number from 0 (off) to 100", "100"),
        (
            (("newsdesk-explain", "3"), ("newsdesk-explain-label", "sports")),
            "'sports' is not a label of this model",
            None,
        ),
        ((("newsdesk-keywords", "3"), ("newsdesk-keywords", "5")), "is given twice", None),
    ],
)
def test_a_stream_option_refused_names_its_metadata_key(shipped_server, metadata, says, info):
    """docs/grpc.md's error table: field `newsdesk-explain`, …; it named `explain` and
    `explain_label`, fields no stream has."""
    key = metadata[-1][0]
    with grpc.insecure_channel(f"127.0.0.1:{shipped_server.port}") as channel:
        stub = pb_grpc.NewsDeskStub(channel)
        call = stub.ClassifyStream(iter([pb.Article(text="正文")]), metadata=metadata)
        with pytest.raises(grpc.RpcError) as caught:
            list(call)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith(f"{key} {says}")
    status = rpc_status.from_call(caught.value)
    got = error_details_pb2.ErrorInfo()
    next(d for d in status.details if d.Is(got.DESCRIPTOR)).Unpack(got)
    assert dict(got.metadata) == {"field": key, **({"limit": info} if info else {})}


@pytest.mark.parametrize("value", ["-1", "101", "x"])
def test_cli_refuses_a_bad_count(value):
    result = run("classify", "--explain", value, stdin="")
    assert result.returncode == 2 and "usage:" in result.stderr


@pytest.mark.corpus
def test_sample_page_analyse_json_spans_slice_the_page(sample_page_path, sample_page):
    """The acceptance run: `analyse --json --explain 5 --keywords 5` on the sample page."""
    result = run("analyse", str(sample_page_path), "--json", "--explain", "5", "--keywords", "5")
    assert result.returncode == 0, result.stderr
    records = jsonl(result.stdout)
    assert len(records) == 5
    for record in records:
        assert record["evidence"] and record["keywords"]
        for t in record["evidence"] + record["keywords"]:
            assert t["spans"] and all(sample_page[a:b] == t["term"] for a, b in t["spans"])


def test_batch_adds_evidence_and_keywords(tmp_path):
    from service.batch import run_batch

    src = tmp_path / "in" / "a.jsonl"
    src.parent.mkdir()
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS))
    common = dict(model=MODEL, workers=1, summary=False, progress=False)
    run_batch([src], tmp_path / "out", explain=3, keywords=2, **common)
    records = jsonl((tmp_path / "out" / "a.jsonl").read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == ["a", "b", "c"]
    for record in records:
        assert record["evidence"] and record["keywords"]
        _slices(record, record["evidence"] + record["keywords"])
    with pytest.raises(InvalidInput):
        run_batch([src], tmp_path / "out2", explain=101, **common)
