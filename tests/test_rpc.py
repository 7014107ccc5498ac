"""The parts of service.rpc a transport builds on: the status table both ways, the flag table,
the transport-neutral boundary, and the handlers called without gRPC."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys

import grpc
import pytest

from service._proto.newsdesk.v1 import newsdesk_pb2 as pb
from service.errors import (
    DataError,
    InvalidInput,
    ModelError,
    ModelLoading,
    ModelNotLoaded,
    NewsdeskError,
    Refused,
    RemoteError,
)
from service.rpc import Boundary, CallFailed, NewsdeskClient, ServerConfig
from service.rpc.config import FLAGS, add_serve_arguments, config_from_args
from service.rpc.metrics import Metrics
from service.rpc.status import STATUS_CODES, error_from_status, error_status, status_code
from service.rpc.wire import ARTICLE_FIELDS
from tests.conftest import ROOT

# -- status, both ways -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code", "back"),
    [
        (InvalidInput("too long", field="articles[2].text", limit=9), "INVALID_ARGUMENT",
         InvalidInput),
        (InvalidInput("bad", field="options.max_chars"), "INVALID_ARGUMENT", InvalidInput),
        (ModelNotLoaded("no model"), "FAILED_PRECONDITION", ModelNotLoaded),
        (ModelLoading("loading"), "UNAVAILABLE", RemoteError),
        (ModelError("bad sha256", field="model"), "FAILED_PRECONDITION", ModelError),
        (DataError("no corpus"), "FAILED_PRECONDITION", ModelNotLoaded),
        (Refused("busy", reason="concurrency", limit=4), "RESOURCE_EXHAUSTED", RemoteError),
        (NewsdeskError("bug"), "INTERNAL", RemoteError),
    ],
)  # fmt: skip
def test_an_error_goes_out_as_its_code_and_comes_back_as_its_class(error, code, back) -> None:
    status = error_status(error)
    assert status_code(error).name == code and status.code == status_code(error).value[0]
    again = error_from_status(status_code(error), status.message, status)
    assert type(again) is back
    assert (again.message, again.field, again.limit) == (error.message, error.field, error.limit)
    if back is RemoteError:
        assert again.code == status_code(error)


def test_the_code_table_covers_every_error_class() -> None:
    import service.errors as errors

    ours = {getattr(errors, n) for n in errors.__all__}
    ours = {c for c in ours if issubclass(c, errors.NewsdeskError)}  # CallFailed: the transport's
    # Raised only outside a server (the client's, training's, batch's): INTERNAL if ever seen.
    elsewhere = {
        RemoteError,
        errors.ExportError,
        errors.ShardError,
        errors.WorkerLost,
        errors.ClientClosed,
        errors.NotJsonLines,  # (the JSONL readers': an InvalidInput, INVALID_ARGUMENT by it)
    }
    assert ours - elsewhere - {errors.ClusterUnavailable} <= set(STATUS_CODES)


def test_a_status_without_details_still_maps_by_code() -> None:
    error = error_from_status(grpc.StatusCode.UNAVAILABLE, "down", None)
    assert isinstance(error, RemoteError) and error.code == grpc.StatusCode.UNAVAILABLE


def test_the_article_field_list_is_the_protos() -> None:
    assert ARTICLE_FIELDS == tuple(f.name for f in pb.Article.DESCRIPTOR.fields if f.name != "id")


# -- the flag table --------------------------------------------------------------------------


# Addresses are checked as HOST:PORT at start: the word sample would be refused.
ADDRESSES = ("address", "http_address")


def test_every_config_field_has_one_flag_with_its_env_twin(monkeypatch) -> None:
    fields = [f.name for f in dataclasses.fields(ServerConfig)]
    assert sorted(row.config_field for row in FLAGS) == sorted(fields)
    samples = {int: "7", float: "1.5", str: "plain"}
    for row in FLAGS:
        if row.type in samples and row.config_field not in ADDRESSES:
            monkeypatch.setenv(row.env, samples[row.type])
    args = add_serve_arguments(argparse.ArgumentParser()).parse_args([])
    config = config_from_args(args)
    for row in FLAGS:
        if row.type in samples and row.config_field not in ADDRESSES:
            assert getattr(config, row.config_field) == row.type(samples[row.type]), row.flag


@pytest.mark.parametrize("token", ["s3cret\n", " s3cret", "s3cr\tet", "s3crét"])
def test_a_token_no_client_could_send_is_refused_at_start(monkeypatch, token) -> None:
    # The server started and refused every call: gRPC clients cannot send such metadata and
    # HTTP drops a header's edge spaces (a token file's newline, read into NEWSDESK_TOKEN).
    monkeypatch.setenv("NEWSDESK_TOKEN", token)
    args = add_serve_arguments(argparse.ArgumentParser()).parse_args([])
    with pytest.raises(InvalidInput) as caught:
        config_from_args(args)
    assert caught.value.field == "token" and "NEWSDESK_TOKEN" in caught.value.message
    assert token.strip() not in caught.value.message  # never echoed


def test_defaults_are_the_configs_when_no_env_is_set(monkeypatch) -> None:
    from service.classifier import DEFAULT_MODEL

    for row in FLAGS:
        monkeypatch.delenv(row.env, raising=False)
    config = config_from_args(add_serve_arguments(argparse.ArgumentParser()).parse_args([]))
    assert config == dataclasses.replace(ServerConfig(), model=DEFAULT_MODEL)


def test_help_shows_defaults_and_no_absolute_model_path() -> None:
    env = {"PATH": "/usr/bin:/bin", "NEWSDESK_TOKEN": "s3cret"}
    result = subprocess.run(
        [sys.executable, "-m", "service.rpc", "--help"], cwd=ROOT, env=env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    text = " ".join(result.stdout.split())
    assert "(default: 100000)" in text and "(default: 127.0.0.1:50051)" in text
    assert "env NEWSDESK_MAX_CHARS" in text and "s3cret" not in text
    assert str(ROOT) not in text and "models/desk" in text


# -- the boundary, without gRPC --------------------------------------------------------------


def _sample(metrics: Metrics, method: str, code: str) -> float:
    value = metrics.registry.get_sample_value(
        "newsdesk_requests_total", {"method": method, "code": code}
    )
    return value or 0.0


def test_boundary_runs_a_call_and_counts_it() -> None:
    boundary = Boundary(Metrics(), token="t")
    response = pb.ClassifyResponse(results=[pb.Classification(id="a"), pb.Classification()])
    assert boundary.run("Classify", "Bearer t", lambda: response) is response
    assert _sample(boundary.metrics, "Classify", "OK") == 1
    articles = boundary.metrics.registry.get_sample_value(
        "newsdesk_articles_total", {"method": "Classify"}
    )
    assert articles == 2
    assert boundary.metrics.in_flight._value.get() == 0


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", b"Bearer", "", "Basic t", "Bearert", "t", "t Bearer"]
)
def test_boundary_refuses_without_the_token_and_never_runs_the_handler(authorization) -> None:
    boundary = Boundary(Metrics(), token="t")
    ran = []
    with pytest.raises(CallFailed) as caught:
        boundary.run("Classify", authorization, lambda: ran.append(1))
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED and not ran
    assert "Bearer <token>" in caught.value.message
    assert _sample(boundary.metrics, "Classify", "UNAUTHENTICATED") == 1


def test_boundary_maps_our_errors_with_details_and_hides_a_bug() -> None:
    boundary = Boundary(Metrics(), token=None)

    def bad():
        raise InvalidInput("articles[0].text is empty", field="articles[0].text")

    with pytest.raises(CallFailed) as caught:
        boundary.run("Summarise", None, bad)
    failed = caught.value
    assert failed.code == grpc.StatusCode.INVALID_ARGUMENT
    again = error_from_status(failed.code, failed.message, failed.status)
    assert isinstance(again, InvalidInput) and again.field == "articles[0].text"

    def bug():
        raise KeyError("secret internals")

    with pytest.raises(CallFailed) as caught:
        boundary.run("Summarise", None, bug)
    assert caught.value.code == grpc.StatusCode.INTERNAL
    assert "secret" not in caught.value.message and not caught.value.status.details
    assert _sample(boundary.metrics, "Summarise", "INTERNAL") == 1


# -- the handlers are the servicer's work, without gRPC ----------------------------------------


@pytest.mark.corpus
def test_handlers_answer_as_the_grpc_server_does(server, sample_page) -> None:
    articles = [
        pb.Article(id="a", title="本台评论：以改革激发发展活力", text="改革是发展的动力。" * 9)
    ]
    request = pb.ClassifyRequest(articles=articles, explain=2, keywords=2)
    with NewsdeskClient(f"127.0.0.1:{server.port}", timeout=30) as client:
        remote = client._call(client._stub.Classify, request, None)
        page = client._call(client._stub.AnalysePage, pb.AnalysePageRequest(text=sample_page), None)
    assert server.handlers.classify(request) == remote
    assert server.handlers.analyse_page(pb.AnalysePageRequest(text=sample_page)) == page
    with pytest.raises(InvalidInput) as caught:
        server.handlers.summarise(pb.SummariseRequest())
    assert caught.value.field == "articles"
    call = server.boundary.run("GetModel", None, lambda: server.handlers.get_model())
    assert call.labels == server.models.get().info.labels


def test_too_many_articles_says_to_split_them_not_to_stream_leads() -> None:
    # Summarise shares the check and has no stream: "or use ClassifyStream" sent a caller
    # who wanted leads to a method that writes none.
    from service.errors import InvalidInput
    from service.rpc.messages import articles_from

    with pytest.raises(InvalidInput) as caught:
        articles_from([pb.Article(text="文本")] * 3, max_articles=2, max_chars=100)
    assert (caught.value.field, caught.value.limit) == ("articles", 2)
    assert caught.value.message == (
        "3 articles in one request, over the limit of 2: split them over several requests "
        "(for labels alone, the gRPC ClassifyStream takes any number; HTTP has no stream)"
    )
