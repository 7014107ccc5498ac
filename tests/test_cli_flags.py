"""The `newsdesk` command line's flags as a new user meets them: a real process, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

NEWSDESK = [sys.executable, "-m", "service.cli"]
GOOD = {"id": "ok", "text": "教育部近日召开会议，部署高校毕业生就业创业工作。"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSDESK, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.fixture()
def records(tmp_path: Path) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    return src


@pytest.mark.parametrize("command", ["classify", "summarise"])
def test_batch_size_over_256_is_a_usage_error(command, records):
    result = run(command, str(records), "--batch-size", "257")
    assert result.returncode == 2, result.stderr
    assert "usage:" in result.stderr and "--batch-size: at most 256" in result.stderr
    assert run(command, str(records), "--batch-size", "256").returncode == 0


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["classify", "{src}", "-o", "/proc/nope.jsonl"], "--output"),
        (["classify", "{src}", "--errors", "/proc/nope.jsonl"], "--errors"),
        (["summarise", "{src}", "-o", "/proc/nope/out.jsonl"], "--output"),
        (["split", "{page}", "-o", "/proc/nope.jsonl"], "--output"),
    ],
)
def test_an_output_that_cannot_be_written_is_file_trouble_exit_1(argv, flag, records):
    page = ROOT / "tests" / "fixtures" / "plain-page.txt"
    result = run(*(a.format(src=records, page=page) for a in argv))
    assert result.returncode == 1, result.stderr
    assert f"cannot write {flag} /proc/nope" in result.stderr
    assert "Traceback" not in result.stderr and ".partial" not in result.stderr
