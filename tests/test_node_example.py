"""examples/node: a Node client built from protos/ alone calls Classify and Health.

Runs `node examples/node/classify.js` against a real server when node and the example's
packages (`npm ci` in examples/node, which .ci/run does) are there; skips with the reason
otherwise, and fails under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from service.rpc import create_server
from tests.conftest import IN_CI, ROOT
from tests.servers import config

EXAMPLE = ROOT / "examples" / "node"


def _need_node() -> str:
    node = shutil.which("node")
    reason = None
    if node is None:
        reason = "no `node` on PATH"
    elif not (EXAMPLE / "node_modules" / "@grpc" / "grpc-js").is_dir():
        reason = "examples/node has no node_modules (run `npm ci` there)"
    if reason:
        if IN_CI:
            pytest.fail(reason + "; under CI=true .ci/run installs them, so this is a failure")
        pytest.skip(reason)
    return node


def _run_example(node: str, address: str, protos: Path) -> subprocess.CompletedProcess:
    """examples/node/classify.js against `address`, with no token, compiling `protos`."""
    env = {**os.environ, "NEWSDESK_PROTOS": str(protos)}
    env.pop("NEWSDESK_TOKEN", None)
    return subprocess.run(
        [node, "classify.js", address],
        cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_node_client_from_the_protos_alone_calls_classify_and_health(model_dir: Path, tmp_path):
    node = _need_node()
    # only protos/ is handed over: the contract compiles with nothing else
    protos = shutil.copytree(ROOT / "protos", tmp_path / "protos")
    srv, port = create_server(config(model_dir))
    srv.start()
    try:
        out = _run_example(node, f"127.0.0.1:{port}", protos)
    finally:
        srv.stop(0).wait()
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "health: SERVING"
    assert lines[1].startswith("classify: a1 education ")


def test_node_client_says_what_to_check_when_no_server_answers(tmp_path):
    # It said only "Health failed: 14 No connection established …".
    node = _need_node()
    from tests.servers import free_port

    address = f"127.0.0.1:{free_port()}"
    out = _run_example(node, address, ROOT / "protos")
    assert out.returncode == 1
    assert f"no newsdesk server answered at {address}: is `newsdesk serve` running" in out.stderr


def test_node_client_tells_a_loading_server_from_none(model_dir: Path, tmp_path):
    # A server still loading its model answers UNAVAILABLE with its own Status: it said "no
    # newsdesk server answered … is `newsdesk serve` running there?" to a server that had.
    node = _need_node()
    srv, port = create_server(config(model_dir))
    srv.grpc.start()  # what start() does first: listen, then load the model
    try:
        out = _run_example(node, f"127.0.0.1:{port}", ROOT / "protos")
    finally:
        srv.stop(0).wait()
    assert out.returncode == 1
    assert "the model is still loading" in out.stderr
    assert "no newsdesk server answered" not in out.stderr
    assert f"server at 127.0.0.1:{port} answered but cannot take calls yet" in out.stderr
