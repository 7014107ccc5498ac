"""The typed client against a real server: results, typed errors, retries, resumable streams."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import grpc
import pytest

from service import pipeline
from service._proto.newsdesk.v1 import newsdesk_pb2 as pb
from service.errors import InvalidInput, ModelNotLoaded, RemoteError
from service.rpc import (
    Classified,
    ModelInfo,
    NewsdeskClient,
    PageResult,
    PageResults,
    Summarised,
    create_server,
    remote_results,
)
from tests.servers import (
    LEAD_AND_NO_LEAD,
    MAX_CHARS,
    NO_LEAD_WARNING,
    config,
    free_port,
    gold_articles,
)


@pytest.fixture(scope="module")
def client(server) -> NewsdeskClient:
    with NewsdeskClient(f"127.0.0.1:{server.port}", timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def articles(data_dir: Path) -> list[dict]:
    return gold_articles(data_dir, 30)


def test_typed_results_for_every_call(client, articles, sample_page: str, local) -> None:
    labelled = client.classify(articles[:3])
    assert all(isinstance(r, Classified) and r.error is None for r in labelled)
    assert [r.id for r in labelled] == [a["id"] for a in articles[:3]]
    assert all(r.prediction.label == r.label == r.scores[0][0] for r in labelled)
    assert all(sum(p for _, p in r.scores) == pytest.approx(1, abs=1e-4) for r in labelled)

    leads = client.summarise(articles[:3], max_sentences=1)
    assert all(isinstance(s, Summarised) and s.lead for s in leads)
    for article, lead in zip(articles, leads, strict=False):
        assert all(article["text"][a:b] in lead.lead for a, b in lead.spans)

    page = client.analyse_page(sample_page)
    assert all(isinstance(p, PageResult) for p in page) and len(page) >= 5
    assert all(sample_page[a:b] in p.lead for p in page for a, b in p.spans)
    from service.pages import read_page

    split = read_page(sample_page)
    assert [p.subtitle for p in page] == [a.subtitle for a in split.articles]

    # The page's own answer beside its articles: they were dropped (the warnings never seen).
    assert isinstance(page, PageResults) and page.warnings == ()
    assert page.furniture == tuple((s.start, s.end) for s in split.furniture) and page.furniture
    columns = "\n".join(
        "教育部召开会议部署高校毕业生就业工作      贵阳市召开工业经济运行调度会研究"
        for _ in range(12)
    )
    assert "side by side" in client.analyse_page(columns).warnings[0]

    info = client.get_model()
    assert isinstance(info, ModelInfo) and info.labels == tuple(local.labels) and info.sha256
    assert client.health() == client.health("newsdesk.v1.NewsDesk") == "SERVING"


def test_every_input_form_sends_the_same_article(client, articles) -> None:
    from service.jsonl import read_records

    a = articles[0]
    (record,) = [r for _, r in read_records([json.dumps(a, ensure_ascii=False)])]
    forms = [
        a,
        (a["title"], a["text"]),
        (a["id"], a["title"], a["text"]),
        record,
        pb.Article(**a),
    ]
    results = client.classify(forms)
    assert len({(r.label, r.scores) for r in results}) == 1
    assert [r.id for r in results] == [a["id"], "", a["id"], a["id"], a["id"]]
    with pytest.raises(TypeError, match="mapping with 'text'"):
        client.classify([42])


def test_errors_come_back_as_our_types_with_field_and_limit(client) -> None:
    with pytest.raises(InvalidInput) as caught:
        client.classify([("标题", "字" * (MAX_CHARS + 1))])
    assert (caught.value.field, caught.value.limit) == ("articles[0].text", MAX_CHARS)
    with pytest.raises(InvalidInput) as caught:
        client.summarise([("标题", "正文。")], max_sentences=999)
    assert caught.value.field == "options.max_sentences" and caught.value.limit == 50
    with pytest.raises(InvalidInput) as caught:
        client.analyse_page("   ")
    assert caught.value.field == "text"


def test_invalid_input_is_not_retried(server, client) -> None:
    before = server.metrics.requests.labels("Summarise", "INVALID_ARGUMENT")._value.get()
    with pytest.raises(InvalidInput):
        client.summarise([("标题", "")])
    after = server.metrics.requests.labels("Summarise", "INVALID_ARGUMENT")._value.get()
    assert after == before + 1


@pytest.mark.parametrize(
    "options", [{"max_sentences": -1}, {"max_chars": 2**40}, {"max_chars": "9"}]
)
def test_bad_lead_options_are_invalid_input_before_any_call(client, options) -> None:
    with pytest.raises(InvalidInput) as caught:
        client.summarise([("标题", "正文。")], **options)
    assert caught.value.field == f"options.{next(iter(options))}"


def test_articles_the_client_cannot_send_are_invalid_input(client) -> None:
    with pytest.raises(InvalidInput) as caught:
        client.classify([{"id": "n", "text": 123}])
    assert caught.value.field == "text"
    (result,) = client.classify([{"id": None, "text": "市教育局部署开学工作。"}])
    assert result.id == ""  # None is no id, not the string "None"


@pytest.mark.parametrize("rid", [1.5, True, {"a": 1}, [7]])
def test_an_id_that_is_no_string_or_integer_is_invalid_input_not_its_repr(rid) -> None:
    # str() sent True as "True" and {"a": 1} as "{'a': 1}"; the CLI refuses such ids.
    from service.rpc.results import to_article

    with pytest.raises(InvalidInput, match="id must be a string or an integer") as caught:
        to_article({"id": rid, "text": "正文。"})
    assert caught.value.field == "id"
    assert to_article({"id": 7, "text": "正文。"}).id == "7"


@pytest.mark.parametrize("field", ["id", "title", "kicker", "text"])
def test_a_lone_surrogate_names_the_field_that_holds_it(field) -> None:
    from service.rpc.results import to_article

    with pytest.raises(InvalidInput, match=f"article's {field} holds characters") as caught:
        to_article({"id": "a", "title": "标题", "text": "正文。", field: "字\ud800"})
    assert caught.value.field == field


def test_a_timeout_that_is_no_time_is_refused(client) -> None:
    with pytest.raises(InvalidInput):
        NewsdeskClient("127.0.0.1:1", timeout=0)
    with pytest.raises(InvalidInput):
        client.get_model(timeout=-1)


@pytest.mark.parametrize("timeout", [float("inf"), float("nan"), -1, 0, "30"])
def test_a_timeout_that_is_no_number_of_seconds_is_refused_by_every_call(client, timeout) -> None:
    """inf passed the check and every call failed at once with DEADLINE_EXCEEDED; a stream's
    timeout was not checked: -1 came back as DEADLINE_EXCEEDED, a string as a TypeError."""
    with pytest.raises(InvalidInput, match="positive, finite number of seconds"):
        NewsdeskClient("127.0.0.1:1", timeout=timeout)
    with pytest.raises(InvalidInput, match="positive, finite number of seconds"):
        client.classify([("标题", "市教育局部署开学工作。")], timeout=timeout)
    with pytest.raises(InvalidInput, match="positive, finite number of seconds"):
        list(client.classify_stream([("标题", "市教育局部署开学工作。")], timeout=timeout))


def test_no_model_is_model_not_loaded(tmp_path: Path) -> None:
    srv, port = create_server(config(tmp_path / "missing"))
    srv.start()
    try:
        with NewsdeskClient(f"127.0.0.1:{port}") as c:
            with pytest.raises(ModelNotLoaded, match="--model"):
                c.classify([("标题", "正文。")])
            assert c.health() == "NOT_SERVING"
    finally:
        srv.stop(0).wait()


def test_a_call_while_the_first_model_loads_is_unavailable_so_clients_retry(
    model_dir: Path,
) -> None:
    srv, port = create_server(config(model_dir))
    srv.grpc.start()  # what start() does first: listen, then load the model
    try:
        with NewsdeskClient(f"127.0.0.1:{port}", retries=0) as c:
            with pytest.raises(RemoteError, match="still loading") as caught:
                c.classify([("标题", "正文。")])
            assert caught.value.code == grpc.StatusCode.UNAVAILABLE
            assert c.health() == "NOT_SERVING"
    finally:
        srv.stop(0).wait()


def test_health_of_a_service_the_server_does_not_keep_says_which_it_does(client) -> None:
    """gRPC's health service answered a bare "NOT_FOUND" for a misspelt service name."""
    assert client.health() == client.health("newsdesk.v1.NewsDesk") == "SERVING"
    with pytest.raises(RemoteError) as caught:
        client.health("newsdesk.NewsDesk")
    assert caught.value.code == grpc.StatusCode.NOT_FOUND
    assert str(caught.value).endswith(
        "keeps no health for service 'newsdesk.NewsDesk': ask '' (the whole server) or "
        "'newsdesk.v1.NewsDesk'"
    ), caught.value


def test_missing_token_is_a_remote_error_with_its_code(model_dir: Path) -> None:
    srv, port = create_server(config(model_dir, token="k"))
    srv.start()
    try:
        with NewsdeskClient(f"127.0.0.1:{port}") as anonymous:
            with pytest.raises(RemoteError) as caught:
                anonymous.get_model()
            assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED
            assert anonymous.health() == "SERVING"
        with NewsdeskClient(f"127.0.0.1:{port}", token="k") as c:
            assert c.get_model().labels
    finally:
        srv.stop(0).wait()


def test_retries_with_backoff_until_the_server_comes_up(model_dir: Path) -> None:
    port = free_port()
    started: list = []

    def start_late() -> None:
        time.sleep(0.8)
        srv, _ = create_server(config(model_dir, address=f"127.0.0.1:{port}"))
        started.append(srv.start())

    thread = threading.Thread(target=start_late)
    t0 = time.monotonic()
    thread.start()
    try:
        with NewsdeskClient(f"127.0.0.1:{port}", timeout=30, retries=12, backoff=0.1) as c:
            assert c.classify([("标题", "贵阳市召开会议。")])[0].label
        assert time.monotonic() - t0 >= 0.8
    finally:
        thread.join()
        for srv in started:
            srv.stop(0).wait()


def test_gives_up_after_its_retries_with_unavailable() -> None:
    """A server out of reach is said with what to check, by unary calls and streams alike:
    the client passed on gRPC's bare "failed to connect to all addresses" (the CLI alone
    said more)."""
    address = f"127.0.0.1:{free_port()}"
    with NewsdeskClient(address, retries=2, backoff=0.05) as c:
        for call in (c.get_model, lambda: list(c.classify_stream([("标题", "正文。")]))):
            with pytest.raises(RemoteError) as caught:
                call()
            assert caught.value.code == grpc.StatusCode.UNAVAILABLE
            said = caught.value.message
            assert said.startswith(f"cannot reach a newsdesk server at {address}: is ")
            assert "Python: NewsdeskClient(tls_ca=...)" in said
    with NewsdeskClient(address, retries=0, tls_ca=_PEM) as c:
        with pytest.raises(RemoteError, match="if it serves plain gRPC .* drop the CA"):
            c.health()


_PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def test_a_deadline_passed_says_which_timeout_and_what_to_do(client) -> None:
    """It came back as the server's "the caller went away; work for it stopped", or gRPC's
    "Deadline Exceeded": neither names the caller's timeout."""
    # A call gets at least 1 ms on the wire, which one short article can beat on loopback:
    # 60 of 4,000 characters (720 KB to send and decode) cannot.
    many = [(f"标题{i}", "市教育局部署开学工作，要求各校做好准备。" * 200) for i in range(60)]
    with pytest.raises(RemoteError) as caught:
        client.classify(many, timeout=0.0001)
    assert caught.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "within the call's timeout of 0.0001 s: pass a longer timeout=" in str(caught.value)


def test_a_call_cut_by_the_servers_stop_says_so(model_dir: Path) -> None:
    """A stream still open when a stop's --grace ran out came back with gRPC's own words,
    "Cancelling all calls": nothing said the server had stopped, or to send it again."""
    srv, port = create_server(config(model_dir, grace=0.5))
    srv.start()
    gate = threading.Event()

    def held():
        yield {"id": "0", "title": "标题", "text": "学校开学了。"}
        gate.wait(10)  # the stream stays open across the stop

    try:
        with NewsdeskClient(f"127.0.0.1:{port}", retries=0) as c:
            stream = c.classify_stream(held())
            assert next(stream).id == "0"
            done = srv.stop()
            with pytest.raises(RemoteError) as caught:
                next(stream)
    finally:
        gate.set()
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE
    assert str(caught.value).startswith(
        f"the newsdesk server at 127.0.0.1:{port} stopped (SIGTERM: its --grace ran out) "
        "before this call was done: send it again"
    ), caught.value
    assert done.wait(10)


def test_stream_equals_unary_and_a_bad_item_fails_alone(client, articles) -> None:
    items = list(articles) * 4
    items.insert(17, {"id": "bad", "title": "t", "text": "字" * (MAX_CHARS + 1)})
    streamed = list(client.classify_stream(iter(items)))
    assert [r.id for r in streamed] == [a["id"] for a in items]
    bad = streamed[17]
    assert isinstance(bad.error, InvalidInput)
    assert (bad.error.field, bad.error.limit) == ("text", MAX_CHARS)
    unary = {r.id: r for r in client.classify(articles)}
    assert all(r == unary[r.id] for r in streamed if r.id != "bad")


def test_stream_resumes_on_a_restarted_server_with_one_answer_per_item(model_dir, articles):
    port = free_port()
    first, _ = create_server(config(model_dir, address=f"127.0.0.1:{port}"))
    servers = [first.start()]
    items = [{**a, "id": f"{i}"} for i, a in enumerate(list(articles) * 5)]
    got: list[Classified] = []
    restarted = threading.Event()

    def source():
        # Items past the 50th wait for the restart: else a fast first server may answer them
        # all before it goes, and the second would have nothing to answer.
        for i, item in enumerate(items):
            if i == 50:
                restarted.wait(60)
            yield item

    try:
        with NewsdeskClient(f"127.0.0.1:{port}", retries=12, backoff=0.1) as c:
            for result in c.classify_stream(source()):
                got.append(result)
                if len(got) == 40:  # the server goes away mid-stream and comes back
                    servers[0].stop(0).wait()
                    second, _ = create_server(config(model_dir, address=f"127.0.0.1:{port}"))
                    servers.append(second.start())
                    restarted.set()
        assert [r.id for r in got] == [a["id"] for a in items]
        assert all(r.error is None and r.label for r in got)
        assert servers[1].metrics.articles.labels("ClassifyStream")._value.get() > 0
    finally:
        for srv in servers:
            srv.stop(0).wait()


def test_stream_yields_answers_while_the_source_is_still_waiting(client, articles) -> None:
    gate = threading.Event()

    def slow():
        yield articles[0]
        gate.wait(10)  # a caller reading stdin: the first answer must not wait for this
        yield articles[1]

    stream = client.classify_stream(slow())
    t0 = time.monotonic()
    first = next(stream)
    assert time.monotonic() - t0 < 5 and first.id == articles[0]["id"]
    gate.set()
    assert [r.id for r in stream] == [articles[1]["id"]]


@pytest.mark.parametrize(("classify", "summarise"), [(True, False), (True, True)])
def test_remote_results_equal_the_local_pipeline(client, local, articles, classify, summarise):
    from service.jsonl import read_records

    lines = [json.dumps(a, ensure_ascii=False) for a in articles]
    records = [r for _, r in read_records(lines)]
    answered = remote_results(client, iter(records), classify=classify, summarise=summarise)
    remote = [r.data for r in answered if r.error is None]
    here = list(pipeline.process_records(records, local, summarise=summarise))
    assert len(remote) == len(here) == len(articles)
    for r, h in zip(remote, here, strict=True):
        assert r["id"] == h["id"] and r["label"] == h["label"]
        assert list(r["scores"]) == list(h["scores"])
        assert list(r["scores"].values()) == pytest.approx(list(h["scores"].values()), abs=2e-6)
        if summarise:
            assert (r["lead"], r["lead_spans"]) == (h["lead"], h["lead_spans"])
        else:
            assert "lead" not in r


def test_an_empty_leads_warning_reaches_the_client_as_locally(client, local) -> None:
    """Summarised.warnings and remote_results' `warnings` say what the local run says; a
    record with a lead has none."""
    from service.jsonl import read_records

    leads = client.summarise(LEAD_AND_NO_LEAD, max_chars=10)
    assert [(s.lead, s.spans, s.warnings) for s in leads] == [
        ("全市教育会议召开。", ((0, 9),), ()),
        ("", (), (NO_LEAD_WARNING,)),
    ]
    lines = [json.dumps(a, ensure_ascii=False) for a in LEAD_AND_NO_LEAD]
    records = [r for _, r in read_records(lines)]
    options = {"summarise": True, "max_chars": 10}
    remote = [r.data for r in remote_results(client, iter(records), classify=False, **options)]
    here = list(pipeline.process_records(records, local, labels=False, **options))
    assert remote == here
    assert "warnings" not in remote[0] and remote[1]["warnings"] == [NO_LEAD_WARNING]


@pytest.mark.parametrize("classify", [True, False])
def test_an_earlier_runs_warnings_and_review_reasons_do_not_survive(client, local, classify):
    """Output read again (a re-run with other options, or a new model) carries the earlier
    run's `warnings` / `review_reasons`: they were kept beside this run's lead or `review:
    false`. Ours replace them, or they go; the same locally and through the server."""
    from service.jsonl import read_records

    def read(extra: dict) -> list:
        lines = [json.dumps({**a, **extra}, ensure_ascii=False) for a in LEAD_AND_NO_LEAD]
        return [r for _, r in read_records(lines)]

    options = {"summarise": True, "max_chars": 10}
    clean = list(pipeline.process_records(read({}), local, labels=classify, **options))
    stale = {"warnings": ["no lead: an earlier run's"], "review_reasons": ["low_score"]}
    records = read(stale)
    # a lead is this run's, with its warnings or none; labels come with their own reasons
    want = [r if classify else {**r, "review_reasons": ["low_score"]} for r in clean]
    here = list(pipeline.process_records(records, local, labels=classify, **options))
    remote = [r.data for r in remote_results(client, iter(records), classify=classify, **options)]
    lines = pipeline.record_lines(records, local, labels=classify, **options)
    assert here == remote == [json.loads(line) for line in lines] == want
    assert "warnings" not in here[0] and here[1]["warnings"] == [NO_LEAD_WARNING]


def test_a_caller_built_on_the_old_contract_still_reads_summaries(server) -> None:
    """Summary.warnings (field 5) is new: a stub without it reads the same ids, leads and spans
    and keeps the warning as an unknown field."""
    from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory
    from google.rpc import status_pb2

    pool = descriptor_pool.DescriptorPool()
    for module in (any_pb2, status_pb2, pb):
        proto = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(proto)
        if module is pb:
            (summary,) = [m for m in proto.message_type if m.name == "Summary"]
            (new,) = [f for f in summary.field if f.name == "warnings"]
            summary.field.remove(new)
        pool.Add(proto)
    old = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("newsdesk.v1.SummariseResponse")
    )
    request = pb.SummariseRequest(articles=[pb.Article(**a) for a in LEAD_AND_NO_LEAD])
    request.options.max_chars = 10
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        call = channel.unary_unary(
            "/newsdesk.v1.NewsDesk/Summarise",
            request_serializer=pb.SummariseRequest.SerializeToString,
            response_deserializer=old.FromString,
        )
        answer = call(request, timeout=30)
    assert [(r.id, r.lead, [(s.start, s.end) for s in r.spans]) for r in answer.results] == [
        ("short", "全市教育会议召开。", [(0, 9)]),
        ("long", "", []),
    ]
    assert not hasattr(answer.results[1], "warnings")
    assert NO_LEAD_WARNING.encode() in answer.results[1].SerializeToString()  # unknown, kept


def test_remote_results_with_leads_carry_the_asked_for_evidence_and_keywords(
    client, local, articles
) -> None:
    """Labels with leads (unary batches) bring evidence and keywords too, as locally; a label
    the model lacks ends the run instead of refusing every record."""
    from service.jsonl import read_records

    lines = [json.dumps(a, ensure_ascii=False) for a in articles[:8]]
    records = [r for _, r in read_records(lines)]
    label = local.labels[-1]
    asked = {"summarise": True, "explain": 3, "keywords": 2, "explain_label": label}
    remote = [r.data for r in remote_results(client, iter(records), classify=True, **asked)]
    here = list(pipeline.process_records(records, local, **asked))

    def shape(terms: list[dict]) -> list[tuple]:
        return [(t["term"], t["field"], t["spans"], t.get("label")) for t in terms]

    assert [list(r) for r in remote] == [list(h) for h in here]  # same keys, same order
    for r, h in zip(remote, here, strict=True):
        assert 0 < len({t["term"] for t in r["evidence"]}) <= 3  # a word once per field
        assert {t["label"] for t in r["evidence"]} == {label}
        for name in ("evidence", "keywords"):
            assert shape(r[name]) == shape(h[name])
            assert [t["weight"] for t in r[name]] == pytest.approx(
                [t["weight"] for t in h[name]], abs=2e-6
            )
    with pytest.raises(InvalidInput) as refused:
        list(remote_results(client, iter(records), **{**asked, "explain_label": "no-such-desk"}))
    assert refused.value.field == "explain_label"


@pytest.mark.parametrize("token", ["s3cret\n", "s3cr\tet", "s3crét"])
def test_a_token_no_header_can_carry_is_invalid_input_at_once(token) -> None:
    # gRPC refused it at every call as "Invalid metadata", after C-core error lines.
    with pytest.raises(InvalidInput) as caught:
        NewsdeskClient(f"127.0.0.1:{free_port()}", token=token)
    assert caught.value.field == "token" and "NEWSDESK_TOKEN" in caught.value.message


def test_a_tls_ca_holding_no_certificate_is_invalid_input_at_once(tmp_path: Path) -> None:
    # A key or any other file passed as the CA failed every call ("Failed to create security
    # handshaker") after C-core error lines.
    key = tmp_path / "server.key"
    key.write_text("-----BEGIN PRIVATE KEY-----\nMIG…\n-----END PRIVATE KEY-----\n")
    for ca in (key, b"not a certificate"):
        with pytest.raises(InvalidInput) as caught:
            NewsdeskClient(f"127.0.0.1:{free_port()}", tls_ca=ca)
        assert caught.value.field == "tls_ca" and "PEM certificate" in caught.value.message


def test_a_call_after_close_says_the_client_is_closed() -> None:
    """gRPC's own ValueError ("Cannot invoke RPC on closed channel!") came out untyped."""
    from service.errors import ClientClosed

    with NewsdeskClient("127.0.0.1:1", timeout=2) as closed:
        pass
    calls = [
        closed.health,
        lambda: closed.classify([("标题", "正文。")]),
        lambda: list(closed.classify_stream([("标题", "正文。")])),
    ]
    for call in calls:
        with pytest.raises(ClientClosed, match="is closed.*make a new NewsdeskClient") as got:
            call()
        assert isinstance(got.value, ValueError)  # what gRPC raised, so old handlers still work
