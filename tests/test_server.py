"""The gRPC server end to end: a real server on 127.0.0.1, real models, real clients."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from service import pipeline
from service._proto.newsdesk.v1 import newsdesk_pb2 as pb
from service._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from service.errors import InvalidInput
from service.rpc import (
    SERVICE_NAME,
    NewsdeskClient,
    add_serve_arguments,
    config_from_args,
    create_server,
)
from service.rpc.streams import STREAM_CHUNK
from service.sentences import ends_sentence
from tests.conftest import ROOT
from tests.servers import (
    MAX_ARTICLES,
    MAX_CHARS,
    MAX_MESSAGE,
    config,
    copy_model,
    free_port,
    gold_articles,
    self_signed,
    wait_until,
)


def status_details(exc: grpc.RpcError) -> tuple[str, str, str | None]:
    """(BadRequest field, ErrorInfo reason, ErrorInfo limit) from an error's details."""
    status = rpc_status.from_call(exc)
    assert status is not None, "the error carries no google.rpc.Status details"
    field, reason, limit = "", "", None
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            field = bad.field_violations[0].field
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, limit = info.reason, info.metadata.get("limit")
    return field, reason, limit


@pytest.fixture(scope="module")
def channel(server) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as ch:
        yield ch


@pytest.fixture(scope="module")
def stub(channel) -> pb_grpc.NewsDeskStub:
    return pb_grpc.NewsDeskStub(channel)


@pytest.fixture(scope="module")
def articles(data_dir: Path) -> list[dict]:
    return gold_articles(data_dir, 40)


def in_process(items: list[dict], classifier, **kw):
    records = [pipeline.parse_record(a) for a in items]
    built = [r.article for r in records]
    return pipeline.analyse_articles(built, [a["text"] for a in items], classifier, **kw)


def assert_same_scores(wire, prediction) -> None:
    assert [s.label for s in wire] == [k for k, _ in prediction.scores]
    # float on the wire is 32-bit: equal to the in-process float64 within its precision.
    assert [s.score for s in wire] == pytest.approx([v for _, v in prediction.scores], abs=1e-6)


# -- every RPC -------------------------------------------------------------------------------


def test_classify_equals_in_process(stub, local, articles) -> None:
    response = stub.Classify(pb.ClassifyRequest(articles=[pb.Article(**a) for a in articles]))
    expected = in_process(articles, local, summarise=False)
    assert [r.id for r in response.results] == [a["id"] for a in articles]
    for result, analysis in zip(response.results, expected, strict=True):
        assert result.label == analysis.prediction.label
        assert_same_scores(result.scores, analysis.prediction)
        assert set(local.labels) == {s.label for s in result.scores}
        assert result.review == analysis.prediction.review
        assert tuple(result.review_reasons) == analysis.prediction.review_reasons
        assert result.review == bool(result.review_reasons)
        assert not result.HasField("error")


def test_kicker_and_subtitle_are_read_and_thin_text_is_flagged(stub, local) -> None:
    text = "记者从教育部获悉，今年全国高校毕业生规模预计达一千多万人，各地高校拓宽就业渠道。" * 2
    sent = [
        {
            "id": "k",
            "title": "稳就业",
            "kicker": "高校毕业生",
            "subtitle": "多措并举",
            "text": text,
        },
        {"id": "g", "title": "", "text": "你好世界。"},
    ]
    response = stub.Classify(pb.ClassifyRequest(articles=[pb.Article(**a) for a in sent]))
    expected = in_process(sent, local, summarise=False)
    for result, analysis in zip(response.results, expected, strict=True):
        assert result.label == analysis.prediction.label
        assert_same_scores(result.scores, analysis.prediction)
    # the kicker and subtitle changed what the model read
    plain = stub.Classify(
        pb.ClassifyRequest(articles=[pb.Article(id="k", title="稳就业", text=text)])
    )
    assert [s.score for s in plain.results[0].scores] != [
        s.score for s in response.results[0].scores
    ]
    assert response.results[1].review and response.results[1].label
    assert "thin_text" in response.results[1].review_reasons


def test_summarise_equals_in_process_with_spans_into_the_text_sent(stub, local, articles) -> None:
    options = pb.SummaryOptions(max_sentences=2, max_chars=0)
    request = pb.SummariseRequest(articles=[pb.Article(**a) for a in articles], options=options)
    response = stub.Summarise(request)
    expected = in_process(articles, local, summarise=True, max_sentences=2)
    for article, result, analysis in zip(articles, response.results, expected, strict=True):
        assert result.id == article["id"]
        assert result.lead == analysis.lead.text
        assert [(s.start, s.end) for s in result.spans] == [
            (s.start, s.end) for s in analysis.lead.spans
        ]
        for span in result.spans:  # each piece of the lead is verbatim in the caller's text
            assert article["text"][span.start : span.end] in result.lead
        assert result.lead


def test_analyse_page_equals_in_process(stub, local, sample_page: str) -> None:
    response = stub.AnalysePage(pb.AnalysePageRequest(text=sample_page))
    expected = pipeline.analyse_page(sample_page, local)
    assert len(response.articles) == len(expected) >= 5
    for i, (got, want) in enumerate(zip(response.articles, expected, strict=True)):
        assert (got.title, got.kicker, got.subtitle, got.byline, got.text) == (
            want.article.title,
            want.article.kicker,
            want.article.subtitle,
            want.article.byline,
            want.article.text,
        )
        assert (got.span.start, got.span.end) == (want.article.start, want.article.end)
        assert got.classification.id == got.summary.id == str(i)
        assert got.classification.label == want.prediction.label
        assert tuple(got.classification.review_reasons) == want.prediction.review_reasons
        assert_same_scores(got.classification.scores, want.prediction)
        assert got.summary.lead == want.lead.text and ends_sentence(got.summary.lead)
        assert list(got.warnings) == list(want.warnings)
        for span in got.summary.spans:
            assert got.span.start <= span.start < span.end <= got.span.end
            assert sample_page[span.start : span.end] in got.summary.lead
    from service.pages import read_page

    furniture = [(s.start, s.end) for s in response.furniture]
    assert furniture == [(s.start, s.end) for s in read_page(sample_page).furniture]
    assert [sample_page[a:b] for a, b in furniture][:1] == ["##"]
    assert "今日导读" in [sample_page[a:b] for a, b in furniture]
    assert list(response.warnings) == []  # nothing odd about the page as a whole


def test_a_page_of_columns_side_by_side_is_said_in_its_warnings(stub) -> None:
    from tests.test_side_by_side import side_by_side_page

    raw = side_by_side_page()
    response = stub.AnalysePage(pb.AnalysePageRequest(text=raw))
    assert len(response.warnings) == 1 and "side by side" in response.warnings[0]
    assert response.articles  # read as one column all the same: said, not refused


def test_get_model_describes_the_manifest(stub, local, model_dir: Path) -> None:
    info = stub.GetModel(pb.GetModelRequest())
    assert tuple(info.labels) == tuple(local.labels)
    assert info.sha256 and info.sha256 in json.dumps(local.manifest)
    assert info.path == ""  # the operator's folder only with --model-path-in-info (issue 16)
    assert dt.datetime.fromisoformat(info.loaded_at).tzinfo is not None
    figures = {m.name: m.value for m in info.metrics}
    review = local.manifest["review"]
    for label, cut in review["thresholds"].items():  # the review flag's own numbers too
        assert figures[f"review.threshold.{label}"] == pytest.approx(cut)
    assert figures["review.fitted_target"] == pytest.approx(review["fitted_target"])
    share = review["heldout_months"]["review_share"]
    assert figures["review.heldout_months.review_share"] == pytest.approx(share)
    # the promise and whether the held-out months kept it: fitted_target (0.99 shipped) alone
    # read as a 99% promise, and a shipped model that missed it (new_month_met false) said not
    assert figures["review.target_precision"] == pytest.approx(review["target_precision"])
    if "new_month_met" in review:
        assert figures["review.new_month_met"] == float(review["new_month_met"])


def test_stream_answers_in_order_and_a_bad_item_fails_alone(stub, local, articles) -> None:
    items = [pb.Article(**a) for a in articles[:10]]
    items.insert(5, pb.Article(id="bad-empty", title="t", text="  \n "))
    items.insert(8, pb.Article(id="bad-long", title="t", text="字" * (MAX_CHARS + 1)))
    items.insert(10, pb.Article(id="bad-furniture", text="（完）"))  # nothing left to read
    results = list(stub.ClassifyStream(iter(items)))
    assert [r.id for r in results] == [i.id for i in items]
    expected = iter(in_process(articles[:10], local, summarise=False))
    for item, result in zip(items, results, strict=True):
        if item.id.startswith("bad"):
            assert result.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
            assert not result.label and not result.scores
            assert "text" in result.error.message
        else:
            want = next(expected).prediction
            assert result.label == want.label and not result.HasField("error")
            assert_same_scores(result.scores, want)
    long_error = results[8].error
    info = error_details_pb2.ErrorInfo()
    assert long_error.details[-1].Unpack(info)
    assert info.metadata["limit"] == str(MAX_CHARS) and info.metadata["field"] == "text"


def test_every_failed_stream_item_whose_id_was_read_carries_it(stub, articles) -> None:
    # The proto's id is "the id of the article this answers": a caller in another language
    # has no client filling it in, so the server must send it on an error result too.
    items = [
        pb.Article(id="bad", text=""),
        pb.Article(id="long", text="字" * (MAX_CHARS + 1)),
        pb.Article(id="furniture", title="", text="（完）"),
        pb.Article(**articles[0]),
    ]
    results = list(stub.ClassifyStream(iter(items)))
    assert [r.id for r in results] == [i.id for i in items]
    assert [r.HasField("error") for r in results] == [True, True, True, False]


def test_a_stream_longer_than_a_batch_answers_every_item_in_order(stub, local, articles) -> None:
    # Batches are classified one ahead of the answers being written: order, per-item errors
    # and scores must not depend on where the batch boundaries fall.
    n = STREAM_CHUNK * 2 + 7
    items = [
        pb.Article(id=f"{i}-bad", title="t", text=" ")
        if i % 97 == 3
        else pb.Article(
            id=f"{i}-{articles[i % len(articles)]['id']}",
            **{k: articles[i % len(articles)][k] for k in ("title", "text")},
        )
        for i in range(n)
    ]
    results = list(stub.ClassifyStream(iter(items)))
    assert [r.id for r in results] == [i.id for i in items]
    want = {
        a["id"]: p.prediction
        for a, p in zip(articles, in_process(articles, local, summarise=False), strict=True)
    }
    for item, result in zip(items, results, strict=True):
        if item.id.endswith("-bad"):
            assert result.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
        else:
            assert result.label == want[item.id.split("-", 1)[1]].label
            assert_same_scores(result.scores, want[item.id.split("-", 1)[1]])


# -- the error contract ----------------------------------------------------------------------

TOO_LONG = "字" * (MAX_CHARS + 1)
ERROR_CASES = [
    ("no-articles", "Classify", pb.ClassifyRequest(), "articles", None),
    (
        "too-many",
        "Classify",
        pb.ClassifyRequest(articles=[pb.Article(text="文本")] * (MAX_ARTICLES + 1)),
        "articles",
        str(MAX_ARTICLES),
    ),
    ("empty", "Classify", pb.ClassifyRequest(articles=[pb.Article()]), "articles[0].text", None),
    (
        "blank-second",
        "Summarise",
        pb.SummariseRequest(articles=[pb.Article(text="正文。"), pb.Article(text=" \u3000\n")]),
        "articles[1].text",
        None,
    ),
    (
        "text-over-limit",
        "Classify",
        pb.ClassifyRequest(articles=[pb.Article(text=TOO_LONG)]),
        "articles[0].text",
        str(MAX_CHARS),
    ),
    (
        "title-over-limit",
        "Summarise",
        pb.SummariseRequest(articles=[pb.Article(title=TOO_LONG, text="正文。")]),
        "articles[0].title",
        str(MAX_CHARS),
    ),
    (
        "lead-too-long",
        "Summarise",
        pb.SummariseRequest(
            articles=[pb.Article(text="正文。")], options=pb.SummaryOptions(max_sentences=10_000)
        ),
        "options.max_sentences",
        "50",
    ),
    ("empty-page", "AnalysePage", pb.AnalysePageRequest(text="\n\n"), "text", None),
    (
        "page-over-limit",
        "AnalysePage",
        pb.AnalysePageRequest(text="字" * 60_001),
        "text",
        "60000",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "request_", "field", "limit"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_invalid_argument_names_the_field_and_limit(stub, method, request_, field, limit) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        getattr(stub, method)(request_)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    got_field, reason, got_limit = status_details(caught.value)
    assert (got_field, got_limit) == (field, limit)
    assert reason == ("OVER_LIMIT" if limit else "INVALID_VALUE")
    assert field.split("[")[0].split(".")[-1] in caught.value.details()
    if method == "AnalysePage" and not limit:  # a page's words, as the CLI says it of a file
        assert "the page text is empty" in caught.value.details()
    if field.endswith("text") and limit:  # the server option that sets this limit, and no other
        flag = "--max-page-chars" if method == "AnalysePage" else "--max-chars)"
        assert flag in caught.value.details() and caught.value.details().count("--max") == 1


def test_message_over_transport_limit_is_resource_exhausted(stub) -> None:
    huge = "字" * (MAX_MESSAGE // 2)  # 3 bytes a character in UTF-8: over the limit
    with pytest.raises(grpc.RpcError) as caught:
        stub.Classify(pb.ClassifyRequest(articles=[pb.Article(text=huge)]))
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_an_answer_larger_than_max_message_bytes_is_sent(model_dir: Path) -> None:
    # The flag bounds requests. It bounded answers too: a page of 13 kB with evidence and
    # keywords answers ~200 kB, and a Classify within every limit at the defaults (122
    # articles, 32.9 MB) answered 35.9 MB: the caller read RESOURCE_EXHAUSTED "Sent message
    # larger than max" with no details after the work was done, and the log said code=OK.
    page = (ROOT.parent / "shared" / "samples" / "guiyang-daily-page.txt").read_text("utf-8")
    request = pb.AnalysePageRequest(text=page, explain=100, keywords=100)
    limit = 4 * request.ByteSize()
    srv, port = create_server(config(model_dir, max_message_bytes=limit))
    srv.start()
    try:
        options = [("grpc.max_receive_message_length", -1)]
        with grpc.insecure_channel(f"127.0.0.1:{port}", options=options) as ch:
            answer = pb_grpc.NewsDeskStub(ch).AnalysePage(request, timeout=60)
        assert answer.ByteSize() > limit and answer.articles
    finally:
        srv.stop(0).wait()


def test_calls_past_max_concurrent_rpcs_are_shed_and_serving_goes_on(model_dir: Path) -> None:
    srv, port = create_server(config(model_dir, max_concurrent_rpcs=1))
    srv.start()
    release = threading.Event()

    def held():  # a stream whose client has not finished sending: its call stays open
        yield pb.Article(id="first", text="贵阳市召开会议，研究部署产业发展工作。")
        release.wait(30)

    def answered() -> bool:
        try:
            return bool(stub.GetModel(pb.GetModelRequest(), timeout=5).labels)
        except grpc.RpcError:
            return False

    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = pb_grpc.NewsDeskStub(ch)
            assert wait_until(answered), "the model never loaded"
            stream = stub.ClassifyStream(held())
            assert next(stream).id == "first"  # the stream's call is in progress
            with pytest.raises(grpc.RpcError) as caught:
                stub.GetModel(pb.GetModelRequest(), timeout=10)
            assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            release.set()
            assert list(stream) == []  # the held call ends normally
            assert wait_until(answered), "the server did not serve again after the load went"
    finally:
        release.set()
        srv.stop(0).wait()


def _leaves_mid_work(rpc, request, method: str, caplog, counted=None) -> None:
    """Time one call, then make it again with a quarter of that as its deadline, so the caller
    leaves mid-work on any machine: DEADLINE_EXCEEDED, and the server logs that it stopped
    between chunks, answering nothing (`counted`, a metric read before and after, unchanged)."""
    caplog.set_level(logging.INFO, logger="newsdesk.server")
    started = time.perf_counter()
    rpc(request)
    took = time.perf_counter() - started
    before = counted() if counted else None
    caplog.clear()
    with pytest.raises(grpc.RpcError) as caught:
        rpc(request, timeout=took / 4)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED

    def logged() -> list[logging.LogRecord]:
        return [r for r in caplog.records if getattr(r, "method", "") == method]

    assert wait_until(lambda: logged(), timeout=10)
    (record,) = logged()
    assert (record.code, record.note) == ("DEADLINE_EXCEEDED", "caller gone; work stopped")
    if counted:
        assert counted() == before


def test_deadline_is_honoured_and_work_stops(stub, server, articles, caplog) -> None:
    # Long bodies (within the transport limit) so the call takes a while.
    many = [
        pb.Article(id=str(i), title=a["title"], text=(a["text"] * 20)[:4_000])
        for i, a in enumerate(articles)
    ]
    request = pb.SummariseRequest(articles=(many * 2)[:MAX_ARTICLES])
    counted = server.metrics.articles.labels("Summarise")._value.get
    _leaves_mid_work(stub.Summarise, request, "Summarise", caplog, counted)
    assert server.metrics.requests.labels("Summarise", "DEADLINE_EXCEEDED")._value.get() == 1


def test_a_caller_who_cancels_with_time_left_is_logged_as_cancelled(stub, server, articles, caplog):
    # The deadline's slack (streams.DEADLINE_SLACK) must not turn a cancel into a deadline.
    caplog.set_level(logging.INFO, logger="newsdesk.server")
    many = [
        pb.Article(id=str(i), title=a["title"], text=(a["text"] * 20)[:4_000])
        for i, a in enumerate(articles)
    ]
    request = pb.SummariseRequest(articles=(many * 2)[:MAX_ARTICLES])
    held = server.metrics.in_flight
    for _ in range(5):  # cancelled once the server holds the call; a call done first is retried
        caplog.clear()  # (a sleep measured from an earlier call lost the race on a loaded machine)
        call = stub.Summarise.future(request, timeout=60)
        wait_until(lambda c=call: held._value.get() >= 1 or c.done(), every=0.001)
        if call.cancel():
            break
    else:
        pytest.fail("every Summarise call finished before it could be cancelled")

    def logged() -> list[logging.LogRecord]:
        return [r for r in caplog.records if getattr(r, "method", "") == "Summarise"]

    assert wait_until(lambda: logged(), timeout=30)
    (record,) = logged()
    assert (record.code, record.note) == ("CANCELLED", "caller gone; work stopped")


def test_a_page_past_its_deadline_stops_between_chunks(stub, server, sample_page, caplog) -> None:
    page = "\n\n".join([sample_page] * 6)  # thirty articles: eight chunks of leads
    assert len(stub.AnalysePage(pb.AnalysePageRequest(text=page)).articles) >= 30
    _leaves_mid_work(stub.AnalysePage, pb.AnalysePageRequest(text=page), "AnalysePage", caplog)


def test_a_folder_whose_manifest_lands_before_its_model_file_is_loaded_when_the_file_lands(
    tmp_path: Path, data_dir: Path
) -> None:
    # A folder copied in place may show its manifest first: that load is refused (no model
    # file yet), and the model file's own arrival is what tries again.
    source = copy_model(data_dir, tmp_path / "source")
    folder = tmp_path / "desk"
    folder.mkdir()
    shutil.copy2(source / "manifest.json", folder / "manifest.json")
    srv, port = create_server(config(folder, poll_seconds=0.1))
    srv.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            health = health_pb2_grpc.HealthStub(ch)

            def serving() -> bool:
                reply = health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
                return reply.status == health_pb2.HealthCheckResponse.SERVING

            time.sleep(0.5)  # a few polls with the manifest alone
            assert not serving()
            shutil.copy2(source / "model.npz", folder / "model.npz.tmp")
            (folder / "model.npz.tmp").rename(folder / "model.npz")
            assert wait_until(serving)
    finally:
        srv.stop(0).wait()


def test_a_model_written_in_place_is_waited_for_not_alarmed_on(
    tmp_path: Path, data_dir: Path, caplog
) -> None:
    """model.npz written into the served folder, then manifest.json: the half-written file and
    then the whole one under the old manifest were each logged `model reload refused` (sha256
    mismatch, "changed or replaced") and counted, a false alarm before the load that worked."""
    folder = copy_model(data_dir, tmp_path / "desk")
    new = ROOT / "models" / "desk"  # the shipped model: another artifact, another sha256
    srv, port = create_server(config(folder, poll_seconds=0.1))
    srv.start()
    try:
        with NewsdeskClient(f"127.0.0.1:{port}") as client:
            old = client.get_model()
            with (new / "model.npz").open("rb") as src, (folder / "model.npz").open("wb") as dst:
                while chunk := src.read(1 << 20):  # in place, in pieces, as a slow copy writes
                    dst.write(chunk)
                    dst.flush()
                    time.sleep(0.02)
            time.sleep(1.0)  # polls that see the new model file under the old manifest
            shutil.copyfile(new / "manifest.json", folder / "manifest.json")
            assert wait_until(lambda: client.get_model().sha256 != old.sha256)
        assert srv.metrics.reload_failures._value.get() == 0
        alarms = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert not alarms, [r.getMessage() for r in alarms]
    finally:
        srv.stop(0).wait()


def test_no_model_is_failed_precondition_until_one_appears(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "desk"
    srv, port = create_server(config(folder, poll_seconds=0.1))
    srv.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = pb_grpc.NewsDeskStub(ch)
            health = health_pb2_grpc.HealthStub(ch)
            for name in ("", SERVICE_NAME):
                reply = health.Check(health_pb2.HealthCheckRequest(service=name))
                assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING
            calls = [
                lambda: stub.Classify(pb.ClassifyRequest(articles=[pb.Article(text="正文。")])),
                lambda: stub.Summarise(pb.SummariseRequest(articles=[pb.Article(text="正文。")])),
                lambda: stub.AnalysePage(pb.AnalysePageRequest(text="标题\n正文。")),
                lambda: list(stub.ClassifyStream(iter([pb.Article(text="正文。")]))),
                lambda: stub.GetModel(pb.GetModelRequest()),
            ]
            for call in calls:
                with pytest.raises(grpc.RpcError) as caught:
                    call()
                assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
                assert status_details(caught.value)[1] == "MODEL_NOT_LOADED"
                assert "--model" in caught.value.details()
                assert str(folder) not in caught.value.details()  # the folder stays in the log

            copy_model(data_dir, folder)  # the watcher sees the manifest and loads it

            def serving() -> bool:
                reply = health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
                return reply.status == health_pb2.HealthCheckResponse.SERVING

            assert wait_until(serving)
            reply = stub.Classify(pb.ClassifyRequest(articles=[pb.Article(text="正文。")]))
            assert reply.results[0].label
    finally:
        srv.stop(0).wait()


# -- concurrency and reload --------------------------------------------------------------------


@pytest.mark.slow
def test_sixteen_clients_two_hundred_calls_each_match_in_process(server, local, articles) -> None:
    analyses = in_process(articles, local, summarise=False)
    expected = {a["id"]: p for a, p in zip(articles, analyses, strict=True)}
    address = f"127.0.0.1:{server.port}"

    def worker(n: int) -> list[str]:
        wrong = []
        with NewsdeskClient(address, timeout=30) as client:
            for i in range(200):
                a = articles[(n * 7 + i) % len(articles)]
                (got,) = client.classify([a])
                want = expected[a["id"]].prediction
                labels = [k for k, _ in got.scores] == [k for k, _ in want.scores]
                pairs = zip(got.scores, want.scores, strict=True) if labels else ()
                close = all(abs(x - y) < 1e-6 for (_, x), (_, y) in pairs)
                if got.label != want.label or not labels or not close:
                    wrong.append(a["id"])
        return wrong

    with ThreadPoolExecutor(16) as pool:
        failures = [w for ws in pool.map(worker, range(16)) for w in ws]
    assert failures == []
    assert server.metrics.requests.labels("Classify", "OK")._value.get() >= 3200


def test_reload_while_clients_call_loses_no_call(tmp_path: Path, data_dir: Path) -> None:
    from service.classifier import Classifier
    from training.train import write_model

    folder = copy_model(data_dir, tmp_path / "desk")
    srv, port = create_server(config(folder, poll_seconds=0.1))
    srv.start()
    stop = threading.Event()
    outcomes: list[str] = []
    sample = gold_articles(data_dir, 5)

    def caller() -> None:
        with NewsdeskClient(f"127.0.0.1:{port}", timeout=30, retries=0) as client:
            while not stop.is_set():
                try:
                    client.classify(sample)
                    outcomes.append("ok")
                except Exception as exc:  # any failure at all is what this test looks for
                    outcomes.append(repr(exc))

    try:
        with NewsdeskClient(f"127.0.0.1:{port}") as client:
            old = client.get_model()
            threads = [threading.Thread(target=caller) for _ in range(4)]
            for t in threads:
                t.start()
            wait_until(lambda: len(outcomes) > 20)
            # Deploy a new version the way training does (a folder swap); the watcher sees the
            # new manifest, loads and warms it beside the old one, then swaps.
            current = Classifier.load(folder)
            write_model(current.pipeline, {**current.manifest, "version": "next"}, folder)
            assert wait_until(lambda: client.get_model().version == "next")
            count = len(outcomes)
            wait_until(lambda: len(outcomes) > count + 20)
            stop.set()
            for t in threads:
                t.join()
            new = client.get_model()
        assert (old.version != "next", new.version) == (True, "next")
        assert new.loaded_at >= old.loaded_at and new.sha256 == new.sha256.lower() != ""
        assert set(outcomes) == {"ok"}, [o for o in outcomes if o != "ok"][:3]
        assert srv.metrics.reloads._value.get() == 2  # the first load and the swap
        assert srv.metrics.reload_failures._value.get() == 0
    finally:
        stop.set()
        srv.stop(0).wait()


def test_corrupt_model_is_refused_and_the_old_one_keeps_serving(tmp_path, data_dir) -> None:
    folder = copy_model(data_dir, tmp_path / "desk")
    srv, port = create_server(config(folder, poll_seconds=0.1))
    srv.start()
    try:
        with NewsdeskClient(f"127.0.0.1:{port}") as client:
            before = client.get_model()
            expected = client.classify(gold_articles(data_dir, 3))
            artifact = folder / "model.npz"
            artifact.write_bytes(artifact.read_bytes()[: artifact.stat().st_size // 2])
            assert srv.reload() is False
            # A changed manifest (touched by a botched deploy) is refused the same way.
            manifest = folder / "manifest.json"
            manifest.write_text(manifest.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            assert wait_until(lambda: srv.metrics.reload_failures._value.get() >= 2)
            assert client.get_model() == before
            assert client.classify(gold_articles(data_dir, 3)) == expected
            assert client.health() == "SERVING"
    finally:
        srv.stop(0).wait()


def test_a_manifest_whose_figures_are_not_objects_is_served_as_the_cli_serves_it(
    tmp_path, data_dir
) -> None:
    """`metrics` and `review.heldout_months` describe a model: one that is a list or a number
    was a TypeError refusing the reload, though every CLI command used that model."""
    folder = copy_model(data_dir, tmp_path / "desk")
    srv, port = create_server(config(folder, poll_seconds=0))
    srv.start()
    try:
        with NewsdeskClient(f"127.0.0.1:{port}") as client:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            manifest["version"] = "odd-figures"
            manifest["metrics"] = [1, 2]
            manifest.setdefault("review", {})["heldout_months"] = 5
            (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
            assert srv.reload() is True
            assert srv.metrics.reload_failures._value.get() == 0
            info = client.get_model()
            assert info.version == "odd-figures"
            assert all(not k.startswith("review.heldout_months") for k in info.metrics)
            assert client.classify(gold_articles(data_dir, 1))[0].label in info.labels
    finally:
        srv.stop(0).wait()


def test_a_planted_pickle_runs_no_code_in_the_server(tmp_path, data_dir) -> None:
    """Issue 14: a pickle with a matching manifest, at start and by hot reload, runs nothing."""
    from tests.test_classifier import plant_pickle

    folder = copy_model(data_dir, tmp_path / "desk")
    good = folder.parent / "good"
    import shutil

    shutil.copytree(folder, good)
    marker = tmp_path / "pwned"
    plant_pickle(folder, marker, "model.npz")
    srv, port = create_server(config(folder, poll_seconds=0.1))
    srv.start()
    try:
        with NewsdeskClient(f"127.0.0.1:{port}") as client:
            assert client.health() == "NOT_SERVING"
            assert srv.metrics.reload_failures._value.get() == 1
            shutil.copy(good / "model.npz", folder / "model.npz")  # the real model arrives
            shutil.copy(good / "manifest.json", folder / "manifest.json")
            assert wait_until(lambda: client.health() == "SERVING")
            plant_pickle(folder, marker, "model.npz")  # and is replaced while serving
            assert wait_until(lambda: srv.metrics.reload_failures._value.get() >= 2)
            assert client.health() == "SERVING"
    finally:
        srv.stop(0).wait()
    assert not marker.exists()


# -- auth, TLS, health, reflection, metrics -----------------------------------------------------


def test_bearer_token_guards_every_call_but_health(model_dir: Path) -> None:
    srv, port = create_server(config(model_dir, token="s3cret"))
    srv.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = pb_grpc.NewsDeskStub(ch)
            for metadata in [
                (),
                (("authorization", "Bearer wrong"),),
                (("authorization", "s3cret"),),
            ]:
                with pytest.raises(grpc.RpcError) as caught:
                    stub.GetModel(pb.GetModelRequest(), metadata=metadata)
                assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
            with pytest.raises(grpc.RpcError) as caught:
                list(stub.ClassifyStream(iter([pb.Article(text="正文。")])))
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
            ok = stub.GetModel(pb.GetModelRequest(), metadata=(("authorization", "Bearer s3cret"),))
            assert ok.labels
            for scheme in ("bearer", "BEARER"):  # auth schemes are case-insensitive (RFC 9110)
                given = (("authorization", f"{scheme} s3cret"),)
                assert stub.GetModel(pb.GetModelRequest(), metadata=given).labels
            health = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest())
            assert health.status == health_pb2.HealthCheckResponse.SERVING
        assert srv.metrics.requests.labels("GetModel", "UNAUTHENTICATED")._value.get() == 3
    finally:
        srv.stop(0).wait()


def test_tls_with_a_generated_certificate(tmp_path: Path, model_dir: Path) -> None:
    cert, key = self_signed(tmp_path)
    srv, port = create_server(config(model_dir, tls_cert=cert, tls_key=key, token="t"))
    srv.start()
    try:
        with NewsdeskClient(f"127.0.0.1:{port}", tls_ca=cert, token="t") as client:
            assert client.health() == "SERVING"
            assert client.classify([("标题", "贵阳市召开会议，研究部署工作。")])[0].label
        with NewsdeskClient(f"127.0.0.1:{port}", token="t", timeout=2, retries=0) as plain:
            with pytest.raises(Exception) as caught:  # a plaintext client cannot talk to TLS
                plain.health()
            assert caught.value.code == grpc.StatusCode.UNAVAILABLE
    finally:
        srv.stop(0).wait()


def test_reflection_lists_the_service(channel) -> None:
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
        ProtoReflectionDescriptorDatabase,
    )

    services = set(ProtoReflectionDescriptorDatabase(channel).get_services())
    assert {SERVICE_NAME, "grpc.health.v1.Health"} <= services


def test_junk_tls_files_are_refused_naming_the_tls_flags(tmp_path: Path, model_dir: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("not a certificate\n")
    key.write_text("not a key\n")
    with pytest.raises(InvalidInput) as caught:
        create_server(config(model_dir, tls_cert=cert, tls_key=key))
    assert caught.value.field == "tls_cert" and "--tls-cert" in caught.value.message


def test_a_huge_unknown_label_is_answered_and_logged_in_a_few_words(stub, caplog) -> None:
    """An explain_label of 2 MB was quoted whole: the status outgrew gRPC's metadata limit (the
    caller read RESOURCE_EXHAUSTED for a bad label) and the log took a 2 MB line per call."""
    from service.rpc.boundary import NOTE_CHARS, note_of

    caplog.set_level(logging.INFO, logger="newsdesk.server")
    caplog.clear()
    request = pb.ClassifyRequest(
        articles=[pb.Article(text="学校开学了。")], explain=1, explain_label="z" * 100_000
    )
    with pytest.raises(grpc.RpcError) as caught:
        stub.Classify(request, timeout=30)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "is not a label of this model" in caught.value.details()
    assert len(caught.value.details()) < 300
    notes = [getattr(r, "note", "") for r in caplog.records if r.msg == "rpc"]
    assert notes and all(len(n) < 300 for n in notes), notes
    long = note_of("x" * 5000)  # any message, however long, is cut in the log
    assert len(long) < NOTE_CHARS + 30 and long.endswith("… (5,000 characters)")


def test_a_tls_file_it_cannot_read_is_refused_naming_the_flag(
    tmp_path: Path, model_dir: Path, monkeypatch
) -> None:
    """A key the server's user cannot read was a bare PermissionError: `newsdesk serve` said
    "[Errno 13] Permission denied: '…'" naming no flag, `python -m service.rpc` printed a
    traceback. (Root's test runs cannot take read access away: a failing read stands in.)"""
    cert, key = self_signed(tmp_path)
    read_bytes = Path.read_bytes

    def unreadable_key(path: Path) -> bytes:
        if path == key:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", unreadable_key)
    with pytest.raises(InvalidInput) as caught:
        create_server(config(model_dir, tls_cert=cert, tls_key=key))
    assert caught.value.field == "tls_key"
    assert f"--tls-key {key}: cannot read it (Permission denied)" in caught.value.message


def test_an_address_that_is_not_this_machines_is_refused_naming_the_flag(model_dir: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_server(config(model_dir, address="no-such-host.invalid:50051"))
    assert caught.value.field == "address" and "--address" in caught.value.message


def test_a_taken_metrics_port_is_refused_naming_the_flag(model_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        srv, _ = create_server(config(model_dir, metrics_port=taken.getsockname()[1]))
        with pytest.raises(InvalidInput) as caught:
            srv.start()
    assert caught.value.field == "metrics_port" and "--metrics-port" in caught.value.message


def test_metrics_endpoint_counts_requests_and_describes_the_model(model_dir: Path) -> None:
    srv, port = create_server(config(model_dir, metrics_port=free_port()))
    srv.start()
    try:
        with NewsdeskClient(f"127.0.0.1:{port}") as client:
            client.classify([("标题", "贵阳市召开会议。"), ("标题", "学校开学了。")])
            with pytest.raises(InvalidInput):
                client.classify([("标题", "")])
            sha = client.get_model().sha256
        url = f"http://127.0.0.1:{srv.metrics_port}/metrics"
        text = urllib.request.urlopen(url, timeout=5).read().decode()
    finally:
        srv.stop(0).wait()
    assert 'newsdesk_requests_total{code="OK",method="Classify"} 1.0' in text
    assert 'newsdesk_requests_total{code="INVALID_ARGUMENT",method="Classify"} 1.0' in text
    assert 'newsdesk_articles_total{method="Classify"} 2.0' in text
    assert 'newsdesk_request_seconds_count{method="Classify"} 2.0' in text
    assert f'sha256="{sha}"' in text and "newsdesk_model_info{" in text
    assert "newsdesk_model_reloads_total 1.0" in text
    assert "newsdesk_model_reload_failures_total 0.0" in text


def test_health_goes_not_serving_on_stop_while_in_flight_calls_finish(model_dir, data_dir) -> None:
    srv, port = create_server(config(model_dir, grace=10))
    srv.start()
    sample = gold_articles(data_dir, 3)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        watch = health_pb2_grpc.HealthStub(ch).Watch(
            health_pb2.HealthCheckRequest(service=SERVICE_NAME)
        )
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        gate = threading.Event()

        def slow_items():
            yield pb.Article(id="0", **{k: sample[0][k] for k in ("title", "text")})
            gate.wait(10)  # the stream is in flight, held open across the stop
            for i, a in enumerate(sample[1:], start=1):
                yield pb.Article(id=str(i), title=a["title"], text=a["text"])

        stream = pb_grpc.NewsDeskStub(ch).ClassifyStream(slow_items())
        first = next(stream)
        done = srv.stop()
        assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
        gate.set()
        rest = list(stream)
        assert [r.id for r in [first, *rest]] == ["0", "1", "2"]
        assert all(r.label for r in rest)
        started = time.monotonic()
        assert done.wait(10)
        # Once the stream is done the open health Watch must not hold shutdown for the grace.
        assert time.monotonic() - started < 5


# -- flags and env twins -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address, http_address, tls, warned",
    [
        ("127.0.0.1:50051", None, False, False),  # loopback: the token never leaves the host
        ("[::1]:50051", "localhost:8080", False, False),
        ("0.0.0.0:50051", None, False, True),
        ("127.0.0.1:50051", "0.0.0.0:8080", False, True),  # the HTTP front is reachable
        ("0.0.0.0:50051", "0.0.0.0:8080", True, False),  # TLS on both fronts
    ],
)
def test_a_token_in_clear_is_warned_of_only_off_loopback(address, http_address, tls, warned):
    from service.rpc.config import ServerConfig, token_in_clear

    tls_cert = Path("cert.pem") if tls else None
    config = ServerConfig(address=address, http_address=http_address, token="t", tls_cert=tls_cert)
    assert token_in_clear(config) is warned
    assert token_in_clear(ServerConfig(address=address, http_address=http_address)) is False


def test_flags_default_to_their_environment_twins(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSDESK_ADDRESS", "127.0.0.1:6000")
    monkeypatch.setenv("NEWSDESK_WORKERS", "3")
    monkeypatch.setenv("NEWSDESK_TOKEN", "from-env")
    monkeypatch.setenv("NEWSDESK_LOG_FORMAT", "json")
    parser = add_serve_arguments(argparse.ArgumentParser())
    cfg = config_from_args(parser.parse_args(["--workers", "5", "--model", str(tmp_path)]))
    assert (cfg.address, cfg.workers, cfg.token, cfg.log_format) == (
        "127.0.0.1:6000",
        5,
        "from-env",
        "json",
    )
    assert cfg.model == tmp_path and cfg.metrics_port == 0


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--tls-cert", "x.pem"], "tls_key"),
        (["--workers", "0"], "workers"),
        (["--max-chars", "0"], "max_chars"),
        (["--grace", "-1"], "grace"),
        (["--grace", "nan"], "grace"),
        (["--poll", "inf"], "poll_seconds"),
        (["--metrics-port", "70000"], "metrics_port"),
        (["--max-concurrent-rpcs", "-1"], "max_concurrent_rpcs"),
    ],
)
def test_bad_flags_are_refused_with_the_flag_named(argv, field) -> None:
    """The message names the flag and its env twin: `--metrics-port 70000` said "grace and
    poll seconds must be …", and NEWSDESK_WORKERS=0 "workers must be at least 1"."""
    parser = add_serve_arguments(argparse.ArgumentParser())
    with pytest.raises(InvalidInput) as caught:
        config_from_args(parser.parse_args(argv))
    assert caught.value.field == field
    if argv[0] != "--tls-cert":
        assert caught.value.message.startswith(f"{argv[0]} (env NEWSDESK_"), caught.value.message
        assert argv[1] in caught.value.message


def test_an_env_twin_set_empty_is_unset(monkeypatch, tmp_path: Path) -> None:
    # A unit file's `NEWSDESK_MODEL=` served the working folder (NOT_SERVING for good, waiting
    # for a model there) and `NEWSDESK_METRICS_HOST=` put the metrics port on every interface.
    from service.classifier import DEFAULT_MODEL

    for name in ("MODEL", "METRICS_HOST", "ADDRESS", "WORKERS", "GRACE", "LOG_FORMAT"):
        monkeypatch.setenv(f"NEWSDESK_{name}", "")
    cfg = config_from_args(add_serve_arguments(argparse.ArgumentParser()).parse_args([]))
    assert (cfg.model, cfg.metrics_host, cfg.address) == (
        DEFAULT_MODEL,
        "127.0.0.1",
        "127.0.0.1:50051",
    )
    assert (cfg.workers, cfg.grace, cfg.log_format) == (8, 10.0, "plain")
    record = '{"id": "1", "text": "教育部近日召开会议，部署高校毕业生就业创业工作。"}\n'
    env = {**os.environ, "NEWSDESK_MODEL": ""}
    command = [sys.executable, "-m", "service.cli", "classify"]
    done = subprocess.run(
        command, input=record, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr  # it read the working folder as the model's
    assert json.loads(done.stdout)["label"]


@pytest.mark.parametrize(
    ("word", "means"), [("yes", True), ("ON", True), ("0", False), ("", False)]
)
def test_a_switch_reads_yes_and_no_words_from_flag_and_env(word, means, monkeypatch) -> None:
    monkeypatch.setenv("NEWSDESK_MODEL_PATH_IN_INFO", word)
    parser = add_serve_arguments(argparse.ArgumentParser())
    assert config_from_args(parser.parse_args([])).model_path_in_info is means
    assert config_from_args(parser.parse_args(["--model-path-in-info"])).model_path_in_info


@pytest.mark.parametrize("via_env", [False, True])
def test_a_switch_refuses_a_word_that_is_neither_yes_nor_no(via_env, monkeypatch, capsys) -> None:
    # `maybe` used to mean no without a word said
    if via_env:
        monkeypatch.setenv("NEWSDESK_MODEL_PATH_IN_INFO", "maybe")
    parser = add_serve_arguments(argparse.ArgumentParser())
    with pytest.raises(SystemExit) as caught:
        parser.parse_args([] if via_env else ["--model-path-in-info", "maybe"])
    assert caught.value.code == 2
    assert "expected 1/true/yes/on or 0/false/no/off, got 'maybe'" in capsys.readouterr().err


# -- the process: SIGHUP reloads, SIGTERM drains and exits 0 -------------------------------------


def test_process_reloads_on_sighup_and_drains_on_sigterm(tmp_path: Path, data_dir: Path) -> None:
    folder = copy_model(data_dir, tmp_path / "desk")
    env = {**os.environ, "NEWSDESK_TOKEN": "tok", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "service.rpc", "--address", "127.0.0.1:0", "--model",
           str(folder), "--log-format", "json", "--grace", "20", "--poll", "0",
           "--http-address", "127.0.0.1:0"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    logs: list[dict] = []

    def read_logs() -> None:
        for line in proc.stderr:
            try:
                logs.append(json.loads(line))
            except json.JSONDecodeError:  # a traceback: keep it for the failure message
                logs.append({"msg": line.rstrip()})

    reader = threading.Thread(target=read_logs, daemon=True)
    reader.start()
    try:
        assert wait_until(lambda: any(e["msg"] == "serving" for e in logs), timeout=60), logs
        port = next(e["port"] for e in logs if e["msg"] == "serving")
        # with --http-address HOST:0 the log is the only place that says which port HTTP got
        http_port = next(e["http_port"] for e in logs if e["msg"] == "serving")
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=10) as r:
            assert r.status == 200
        sample = gold_articles(data_dir, 4)
        with NewsdeskClient(f"127.0.0.1:{port}", token="tok") as client:
            assert client.health() == "SERVING"
            proc.send_signal(signal.SIGHUP)
            assert wait_until(lambda: any(e["msg"] == "model reloaded" for e in logs)), logs

            gate = threading.Event()

            def held_open():
                yield sample[0]
                gate.wait(20)
                yield from sample[1:]

            stream = client.classify_stream(held_open())
            first = next(stream)  # the call is in flight now
            proc.send_signal(signal.SIGTERM)
            assert wait_until(lambda: any(e["msg"] == "shutting down" for e in logs))
            with NewsdeskClient(f"127.0.0.1:{port}", token="tok", retries=0) as late:
                with pytest.raises(Exception) as refused:
                    late.classify([sample[0]], timeout=5)
            assert refused.value.code == grpc.StatusCode.UNAVAILABLE
            gate.set()
            rest = list(stream)
        assert [r.id for r in [first, *rest]] == [a["id"] for a in sample]
        assert proc.wait(timeout=30) == 0
        assert any(e["msg"] == "stopped" for e in logs)
        rpc_lines = [e for e in logs if e["msg"] == "rpc" and e["method"] == "ClassifyStream"]
        assert rpc_lines and rpc_lines[-1]["code"] == "OK" and rpc_lines[-1]["articles"] == 4
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(
    "entry", [["service.cli", "serve"], ["service.rpc"]], ids=["newsdesk serve", "service.rpc"]
)
def test_serve_exits_1_at_start_when_the_model_folder_is_not_there(tmp_path, entry) -> None:
    # `--model /typo` used to start a server NOT_SERVING for ever; an existing folder with no
    # model yet is still waited for (a replica may start before its model is delivered).
    a_file = tmp_path / "model.txt"
    a_file.write_text("not a folder\n", encoding="utf-8")
    cmd = [sys.executable, "-m", *entry, "--address", "127.0.0.1:0", "--poll", "0", "--model"]
    for model, said in ((tmp_path / "typo", "does not exist"), (a_file, "is a file")):
        try:
            done = subprocess.run(
                [*cmd, str(model)], cwd=ROOT, capture_output=True, text=True, timeout=30
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve --model {model} was still running after 30 s")
        assert done.returncode == 1, done.stderr
        assert said in done.stderr and str(model) in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and '"serving"' not in done.stderr
    empty = tmp_path / "desk"
    empty.mkdir()
    proc = subprocess.Popen([*cmd, str(empty)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        seen: list[str] = []
        for line in proc.stderr:
            seen.append(line)
            if "serving" in line:
                break
        assert proc.poll() is None and "model load refused" in "".join(seen), seen
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0


def test_a_taken_port_is_refused_with_the_flag_named(server) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_server(config(server.models.path, address=f"127.0.0.1:{server.port}"))
    assert caught.value.field == "address" and "Address already in use" in caught.value.message


def test_serve_on_a_taken_port_says_so_in_one_line_of_its_own(model_dir: Path) -> None:
    # gRPC's core logged `E… add_port.cc:… Failed to add port to server` before our line, and
    # bound a name such as localhost where it could (::1) while another process held 127.0.0.1.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cmd = [sys.executable, "-m", "service.cli", "serve", "--model", str(model_dir)]
        for address in (f"127.0.0.1:{port}", f"localhost:{port}"):
            done = subprocess.run(
                [*cmd, "--address", address], cwd=ROOT, capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 2, done.stderr
            assert "Address already in use" in done.stderr and "--address" in done.stderr
            assert "add_port" not in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_stopped_server_whose_exit_is_held_by_a_thread_still_ends():
    # gRPC's threads can, rarely, hold the interpreter's exit after a clean stop (a SIGTERMed
    # server was alive 30 s later in CI); `exit_within` ends the process all the same, exit 0.
    script = (
        "import threading\n"
        "from service.rpc.process import exit_within\n"
        "threading.Thread(target=threading.Event().wait).start()  # never ends, not a daemon\n"
        "exit_within(0.5)\n"
    )
    from tests.conftest import ROOT

    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=15)
    assert run.returncode == 0
