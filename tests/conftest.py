"""Shared fixtures: where the corpus lives, and whether its absence skips or fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("NEWSDESK_DATA", ROOT.parent / "shared" / "data"))
SAMPLES = DATA.parent / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _need(path: Path) -> Path:
    if path.exists():
        return path
    msg = f"corpus not found at {path} (set NEWSDESK_DATA or put ../shared beside the repo)"
    if IN_CI:
        pytest.fail(msg + "; under CI=true a missing corpus is a failure")
    pytest.skip(msg)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """../shared/data, or skip (fail under CI) when it is absent."""
    return _need(DATA)


@pytest.fixture(scope="session")
def sample_page_path() -> Path:
    """The real extracted Guiyang Daily page from ../shared/samples."""
    return _need(SAMPLES / "guiyang-daily-page.txt")


@pytest.fixture
def one_month_corpus(tmp_path: Path) -> Path:
    """A data folder whose newspaper corpus holds three articles of October 2019 alone: a
    partial copy, lacking the other development months and the test month."""
    import gzip
    import json

    rows = [
        {"id": f"a{i}", "date": "20191001", "page": 1, "seq": i, "title": "标题", "text": "正文。"}
        for i in range(3)
    ]
    target = tmp_path / "newspaper" / "articles.jsonl.gz"
    target.parent.mkdir()
    target.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    return tmp_path


@pytest.fixture(scope="session")
def sample_page(sample_page_path: Path) -> str:
    return sample_page_path.read_text(encoding="utf-8")


# -- a real gRPC server per test module that asks for one (test_server, test_client) ----------


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, data_dir: Path) -> Path:
    """A private copy of the session's small trained model (tests may reload or break it)."""
    from tests.servers import copy_model

    return copy_model(data_dir, tmp_path_factory.mktemp("served") / "desk")


@pytest.fixture(scope="module")
def server(model_dir: Path):
    """The real server on a free loopback port, serving `model_dir`."""
    from service.rpc import create_server
    from tests.servers import config

    srv, _ = create_server(config(model_dir))
    srv.start()
    yield srv
    srv.stop(0).wait()


@pytest.fixture(scope="module")
def local(model_dir: Path):
    """The same model loaded in-process: what the server's answers must equal."""
    from service.classifier import Classifier

    return Classifier.load(model_dir)
