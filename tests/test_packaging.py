"""The wheel is a real artifact: the runtime, its generated stubs and the contract inside."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_holds_stubs_dictionary_and_contract_but_no_model(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=tmp_path,  # setuptools' build/ folder lands beside the sources either way
        timeout=300,
    )
    (wheel,) = tmp_path.glob("newsdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = next(n.split("/data/")[0] for n in names if ".data/data/" in n) + "/data/"
    for needed in (
        "service/_proto/newsdesk/v1/newsdesk_pb2.py",
        "service/_proto/newsdesk/v1/newsdesk_pb2_grpc.py",
        "service/data/userdict.txt",
        "service/data/head_forms.json",  # the two-line heads' form models (head_parts)
        "service/data/jieba_words.npz",  # the word table seams are cut with (windowcut)
        "service/cli/__init__.py",
        "service/http/static/index.html",  # the newsroom page is package data
        "service/http/static/newsroom.js",
        "service/http/static/newsroom.css",
        data + "share/newsdesk/protos/newsdesk/v1/newsdesk.proto",
        data + "share/newsdesk/protos/google/rpc/status.proto",
        data + "share/newsdesk/protos/grpc/health/v1/health.proto",
    ):
        assert needed in names, needed
    assert not any(n.startswith(("models/", "tests/")) for n in names)
