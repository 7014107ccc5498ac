"""Hostile and careless callers against the real server (issue 14): raw bytes, refusals, idling.

Raw bytes go through a generic channel method with identity serializers, as a broken or
hostile client would send them; nothing here goes through our own client.
"""

from __future__ import annotations

import logging

import grpc
import pytest
from grpc_health.v1 import health_pb2

from service._proto.newsdesk.v1 import newsdesk_pb2 as pb
from service.server import SERVICE_NAME
from tests.servers import MAX_MESSAGE, wait_until

# Not protobuf: a varint cut short (every message type fails on it) ...
TRUNCATED = b"\x08\x80"
# ... and well-formed wire data whose string is not UTF-8: Article.text = b"\xff\xfe".
BAD_UTF8_ARTICLE = b"\x1a\x02\xff\xfe"
BAD_UTF8_REQUEST = b"\x0a\x04" + BAD_UTF8_ARTICLE  # ClassifyRequest.articles[0] = that

UNARY = ["Classify", "Summarise", "AnalysePage", "GetModel"]


def _target(server) -> str:
    return f"127.0.0.1:{server.port}"


def _unary(channel: grpc.Channel, method: str):
    return channel.unary_unary(f"/{SERVICE_NAME}/{method}")  # bytes in, bytes out


def _counter(server, name: str, **labels) -> float:
    value = server.metrics.registry.get_sample_value(name, labels)
    return value or 0.0


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(_target(server)) as ch:
        assert wait_until(lambda: _ready(ch)), "the model never loaded"
        yield ch


def _ready(channel: grpc.Channel) -> bool:
    check = channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
        response_deserializer=health_pb2.HealthCheckResponse.FromString,
    )
    return check(health_pb2.HealthCheckRequest()).status == health_pb2.HealthCheckResponse.SERVING


CASES = [(m, TRUNCATED) for m in UNARY] + [
    ("Classify", BAD_UTF8_REQUEST),
    ("Summarise", BAD_UTF8_REQUEST),
    ("AnalysePage", b"\x0a\x02\xff\xfe"),  # AnalysePageRequest.text, not UTF-8
]


@pytest.mark.parametrize("method, raw", CASES)
def test_undecodable_unary_request_is_invalid_argument_counted_and_logged(
    server, channel, method: str, raw: bytes, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="newsdesk.server")
    before = _counter(server, "newsdesk_undecodable_messages_total", method=method)
    counted = _counter(server, "newsdesk_requests_total", method=method, code="INVALID_ARGUMENT")
    with pytest.raises(grpc.RpcError) as caught:
        _unary(channel, method)(raw, timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()
    assert "not a valid newsdesk.v1." in caught.value.details()
    assert _counter(server, "newsdesk_undecodable_messages_total", method=method) == before + 1
    assert wait_until(
        lambda: (
            _counter(server, "newsdesk_requests_total", method=method, code="INVALID_ARGUMENT")
            == counted + 1
        )
    )
    assert any(
        getattr(r, "method", None) == method and getattr(r, "code", None) == "INVALID_ARGUMENT"
        for r in caplog.records
    )


def test_undecodable_health_check_is_invalid_argument(channel) -> None:
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    with pytest.raises(grpc.RpcError) as caught:
        check(TRUNCATED, timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_bad_stream_item_fails_alone(server, channel) -> None:
    good = pb.Article(id="a", title="贵阳市召开会议", text="会议研究部署产业发展工作。")
    items = [
        good.SerializeToString(),
        TRUNCATED,
        pb.Article(id="b", text="学校开学。").SerializeToString(),
        BAD_UTF8_ARTICLE,
        b"\x0a" + b"\x7f" * 2,  # a length past the end
        pb.Article(id="c", text="企业投产。").SerializeToString(),
    ]
    stream = channel.stream_stream(
        f"/{SERVICE_NAME}/ClassifyStream", response_deserializer=pb.Classification.FromString
    )
    answers = list(stream(iter(items), timeout=30))
    assert len(answers) == len(items)
    assert [a.id for a in answers] == ["a", "", "b", "", "", "c"]
    for i in (1, 3, 4):
        assert answers[i].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
        assert f"stream item {i} is not a valid newsdesk.v1.Article" in answers[i].error.message
    for i in (0, 2, 5):
        assert answers[i].label and not answers[i].HasField("error")


def test_a_request_over_the_size_limit_is_counted(server, channel) -> None:
    huge = pb.ClassifyRequest(articles=[pb.Article(text="字" * (MAX_MESSAGE // 2))])
    labels = {"method": "Classify", "code": "RESOURCE_EXHAUSTED"}
    before = _counter(server, "newsdesk_requests_total", **labels)
    with pytest.raises(grpc.RpcError) as caught:
        _unary(channel, "Classify")(huge.SerializeToString(), timeout=10)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "--max-message-bytes" in caught.value.details()
    assert wait_until(lambda: _counter(server, "newsdesk_requests_total", **labels) == before + 1)
