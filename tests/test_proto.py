"""The committed stubs match the contract, and the contract keeps the names clients rely on."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from service import protogen
from service._proto.newsdesk.v1 import newsdesk_pb2 as pb

# The generator stamps its own version into the stubs; a newer grpcio-tools that writes the same
# code for the same contract is not a stale stub, so those stamps are left out of the comparison.
_STAMPS = [
    re.compile(r"^# Protobuf Python Version: .*$", re.MULTILINE),
    re.compile(r"ValidateProtobufRuntimeVersion\([^)]*\)"),
    re.compile(r"^GRPC_GENERATED_VERSION = .*$", re.MULTILINE),
]


def _unstamped(text: str) -> str:
    for stamp in _STAMPS:
        text = stamp.sub("<stamp>", text)
    return text


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): _unstamped(p.read_text(encoding="utf-8"))
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_committed_stubs_equal_freshly_generated(tmp_path: Path) -> None:
    protogen.generate(tmp_path / "_proto")
    fresh = _tree(tmp_path / "_proto")
    committed = _tree(protogen.OUT)
    assert sorted(fresh) == sorted(committed), "run `make proto` and commit service/_proto"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale stubs {stale}: run `make proto` and commit service/_proto"


def test_a_changed_contract_makes_the_stubs_stale(tmp_path: Path, monkeypatch) -> None:
    # The currency check must be able to fail: regenerate from a contract with one more field.
    protos = tmp_path / "protos"
    shutil.copytree(protogen.PROTOS, protos)
    proto = protos / "newsdesk" / "v1" / "newsdesk.proto"
    text = proto.read_text(encoding="utf-8")
    proto.write_text(
        text.replace("message GetModelRequest {}", "message GetModelRequest { string x = 1; }")
    )
    monkeypatch.setattr(protogen, "PROTOS", protos)
    protogen.generate(tmp_path / "_proto")
    fresh, committed = _tree(tmp_path / "_proto"), _tree(protogen.OUT)
    assert fresh["newsdesk/v1/newsdesk_pb2.py"] != committed["newsdesk/v1/newsdesk_pb2.py"]


def test_generated_imports_point_into_the_package() -> None:
    grpc_stub = (protogen.OUT / "newsdesk" / "v1" / "newsdesk_pb2_grpc.py").read_text()
    assert "from service._proto.newsdesk.v1 import newsdesk_pb2" in grpc_stub
    assert "\nfrom newsdesk" not in grpc_stub


@pytest.mark.parametrize(
    ("method", "request_type", "response_type", "client_streaming", "server_streaming"),
    [
        ("Classify", "ClassifyRequest", "ClassifyResponse", False, False),
        ("Summarise", "SummariseRequest", "SummariseResponse", False, False),
        ("AnalysePage", "AnalysePageRequest", "AnalysePageResponse", False, False),
        ("ClassifyStream", "Article", "Classification", True, True),
        ("GetModel", "GetModelRequest", "ModelInfo", False, False),
    ],
)
def test_service_methods(method, request_type, response_type, client_streaming, server_streaming):
    service = pb.DESCRIPTOR.services_by_name["NewsDesk"]
    assert service.full_name == "newsdesk.v1.NewsDesk"
    m = service.methods_by_name[method]
    assert m.input_type.full_name == f"newsdesk.v1.{request_type}"
    assert m.output_type.full_name == f"newsdesk.v1.{response_type}"
    assert (m.client_streaming, m.server_streaming) == (client_streaming, server_streaming)


@pytest.mark.parametrize(
    ("message", "fields"),
    [
        ("Article", {"id": 1, "title": 2, "text": 3}),
        ("LabelScore", {"label": 1, "score": 2}),
        ("Classification", {"id": 1, "label": 2, "scores": 3, "error": 4}),
        ("Span", {"start": 1, "end": 2}),
        ("Summary", {"id": 1, "lead": 2, "spans": 3, "error": 4, "warnings": 5}),
        ("SummaryOptions", {"max_sentences": 1, "max_chars": 2}),
        ("ClassifyRequest", {"articles": 1}),
        ("ClassifyResponse", {"results": 1}),
        ("SummariseRequest", {"articles": 1, "options": 2}),
        ("SummariseResponse", {"results": 1}),
        ("AnalysePageRequest", {"text": 1, "options": 2}),
        ("AnalysePageResponse", {"articles": 1}),
        (
            "PageArticle",
            {
                "title": 1,
                "kicker": 2,
                "byline": 3,
                "text": 4,
                "span": 5,
                "classification": 6,
                "summary": 7,
            },
        ),  # fmt: skip
    ],
)
def test_message_fields_keep_their_numbers(message: str, fields: dict[str, int]) -> None:
    descriptor = pb.DESCRIPTOR.message_types_by_name[message]
    numbers = {f.name: f.number for f in descriptor.fields}
    assert {k: numbers.get(k) for k in fields} == fields


def test_error_field_is_a_google_rpc_status() -> None:
    error = pb.Classification.DESCRIPTOR.fields_by_name["error"]
    assert error.message_type.full_name == "google.rpc.Status"
    assert pb.DESCRIPTOR.package == "newsdesk.v1"


def test_every_field_and_message_is_commented() -> None:
    # The contract is read by people in other teams: nothing in it goes undocumented.
    proto = protogen.PROTOS / "newsdesk" / "v1" / "newsdesk.proto"
    lines = proto.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        declares = stripped.startswith(("message ", "rpc ", "service ")) or (
            stripped.endswith(";") and "=" in stripped and not stripped.startswith("option")
        )
        if declares and not stripped.startswith("syntax"):
            assert lines[i - 1].strip().startswith("//"), f"line {i + 1} has no comment: {line}"


def test_a_field_said_to_be_set_in_streams_belongs_to_a_streamed_message() -> None:
    # Summary.error said "Set only in streams", and no method streams a Summary: a client
    # would look for a per-item error that never comes
    proto = protogen.PROTOS / "newsdesk" / "v1" / "newsdesk.proto"
    text = proto.read_text(encoding="utf-8")
    streamed = {
        m.output_type.name
        for m in pb.DESCRIPTOR.services_by_name["NewsDesk"].methods
        if m.server_streaming
    }
    for name, body in re.findall(r"^message (\w+) \{(.*?)^\}", text, re.MULTILINE | re.DOTALL):
        if re.search(r"set only in (a )?streams?\b", body, re.IGNORECASE):
            assert name in streamed, f"{name}: a comment says set in streams; none streams it"


def test_explain_label_comments_say_what_the_server_refuses() -> None:
    proto = protogen.PROTOS / "newsdesk" / "v1" / "newsdesk.proto"
    text = proto.read_text(encoding="utf-8")
    for comment in re.findall(r"((?:  //.*\n)+)  string explain_label = \d+;", text):
        assert "explain` > 0" in comment and "INVALID_ARGUMENT" in comment, comment


def test_protos_folder_alone_compiles_every_contract(tmp_path: Path) -> None:
    """Another language needs nothing but protos/ (and protoc's own google/protobuf types):
    the google/rpc and grpc/health imports are vendored there."""
    from importlib import resources

    from grpc_tools import protoc

    well_known = resources.files("grpc_tools") / "_proto"
    sources = sorted(
        p.relative_to(protogen.PROTOS).as_posix() for p in protogen.PROTOS.rglob("*.proto")
    )
    assert {"newsdesk/v1/newsdesk.proto", "google/rpc/status.proto"} <= set(sources)
    assert "grpc/health/v1/health.proto" in sources
    out = tmp_path / "all.pb"
    args = ["protoc", f"-I{protogen.PROTOS}", f"-I{well_known}", f"--descriptor_set_out={out}"]
    assert protoc.main([*args, "--include_imports", *sources]) == 0
    assert out.stat().st_size > 0
    licence = (protogen.PROTOS / "THIRD_PARTY.md").read_text(encoding="utf-8")
    assert all(
        name.split("/")[-1] in licence for name in sources if not name.startswith("newsdesk")
    )
