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
        # (a file in a folder that does not exist is a usage error, exit 2: tests/test_cli.py)
        (["summarise", "{src}", "-o", "/proc/nope.jsonl"], "--output"),
        (["split", "{page}", "-o", "/proc/nope.jsonl"], "--output"),
    ],
)
def test_an_output_that_cannot_be_written_is_file_trouble_exit_1(argv, flag, records):
    page = ROOT / "tests" / "fixtures" / "plain-page.txt"
    result = run(*(a.format(src=records, page=page) for a in argv))
    assert result.returncode == 1, result.stderr
    assert f"cannot write {flag} /proc/nope" in result.stderr
    assert "Traceback" not in result.stderr and ".partial" not in result.stderr


PAGE = ROOT / "tests" / "fixtures" / "plain-page.txt"


@pytest.mark.parametrize(
    ("flags", "meant"),
    [
        (["--explain", "--keywords", "{page}"], ["--explain", "5", "--keywords", "5"]),
        (["--keywords", "--explain", "{page}"], ["--keywords", "5", "--explain", "5"]),
        (["--explain", "3", "--keywords", "{page}"], ["--explain", "3", "--keywords", "5"]),
    ],
)
def test_a_page_after_a_bare_explain_or_keywords_is_the_page_not_k(flags, meant):
    """`--keywords` takes an optional number; the page after it was read as K and refused."""
    result = run("analyse", "--json", *(f.format(page=PAGE) for f in flags))
    assert result.returncode == 0, result.stderr
    want = run("analyse", "--json", *meant, str(PAGE))
    assert result.stdout == want.stdout and want.returncode == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(r["evidence"] and r["keywords"] for r in rows)


def test_an_input_file_after_a_bare_keywords_is_the_input(records):
    result = run("classify", "--keywords", str(records))
    assert result.returncode == 0, result.stderr
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["id"] == "ok" and 0 < len(row["keywords"]) <= 5


def test_a_quoted_glob_after_a_bare_explain_is_batchs_input(records, tmp_path):
    """batch's inputs are globs as often as files; `--explain 'in/*.jsonl'` read the glob as K."""
    (tmp_path / "in").mkdir()
    records.rename(tmp_path / "in" / "a.jsonl")
    glob = str(tmp_path / "in" / "*.jsonl")
    result = run("batch", "--explain", glob, "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    (row,) = [json.loads(line) for line in (tmp_path / "out" / "a.jsonl").read_text().splitlines()]
    assert row["id"] == "ok" and 0 < len(row["evidence"]) <= 10
    none = run("batch", "--keywords", str(tmp_path / "no*.jsonl"), "--out", str(tmp_path / "o2"))
    assert none.returncode == 2 and "no file matches" in none.stderr, none.stderr
    # classify reads no globs: a glob there is still a bad K
    assert "--explain: expected a whole number" in run("classify", "--explain", glob).stderr


def test_a_word_after_keywords_that_is_neither_number_nor_file_is_still_a_bad_k():
    result = run("analyse", "--keywords", "five", str(PAGE))
    assert result.returncode == 2
    assert "--keywords: expected a whole number, got 'five'" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["classify", "{src}", "--explain-label", "education"],
        ["classify", "{src}", "--keywords", "--explain-label", "education"],
        ["analyse", "{page}", "--json", "--explain-label", "education"],
    ],
)
def test_explain_label_without_explain_is_a_usage_error(argv, records):
    """It was silently dropped: the output had no evidence and no word why."""
    result = run(*(a.format(src=records, page=PAGE) for a in argv))
    assert result.returncode == 2 and "usage:" in result.stderr
    assert "--explain-label LABEL needs --explain" in result.stderr
    both = run(*(a.format(src=records, page=PAGE) for a in argv), "--explain", "2")
    assert both.returncode == 0, both.stderr
    rows = [json.loads(line) for line in both.stdout.splitlines()]
    assert rows and all(e["label"] == "education" for r in rows for e in r["evidence"])


@pytest.mark.parametrize("command", ["classify", "summarise"])
@pytest.mark.parametrize("server", ["http://127.0.0.1:50051", "https://news:443", "localhost"])
def test_a_server_given_as_a_url_or_without_a_port_is_a_usage_error(command, server, records):
    # gRPC read "http://…" as a host name ("Misformatted domain name", exit 1), and a bare host
    # as port 443: neither said that --server wants the gRPC port's HOST:PORT.
    result = run(command, str(records), "--server", server)
    assert result.returncode == 2 and "usage:" in result.stderr, result.stderr
    assert "--server: expected HOST:PORT of the server's gRPC port" in result.stderr
    assert repr(server) in result.stderr


@pytest.mark.parametrize("command", ["classify", "analyse", "batch"])
def test_an_unknown_flag_shows_the_commands_usage(command, records):
    """It showed `usage: newsdesk [-h] [--version] COMMAND ...`, which names none of the flags."""
    argv = {"analyse": [PAGE], "batch": [str(records), "--out", str(records.parent / "o")]}
    result = run(command, *argv.get(command, [str(records)]), "--bogus")
    assert result.returncode == 2
    assert f"usage: newsdesk {command} " in result.stderr
    assert "unrecognized arguments: --bogus" in result.stderr


@pytest.mark.parametrize("command", ["analyse", "batch"])
@pytest.mark.parametrize("bound", ["--max-chars", "--max-sentences"])
def test_a_lead_bound_with_no_summary_is_a_usage_error(command, bound, records):
    """--no-summary writes no lead, so the bound was dropped without a word."""
    argv = {"analyse": [PAGE], "batch": [str(records), "--out", str(records.parent / "o")]}
    result = run(command, *argv[command], "--no-summary", bound, "2")
    assert result.returncode == 2 and f"usage: newsdesk {command} " in result.stderr
    assert "bound the leads --no-summary turns off" in result.stderr
    assert not (records.parent / "o").exists()
