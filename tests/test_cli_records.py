"""JSONL records read the same way by every path that reads them: `newsdesk classify` on this
machine, `classify --server` through a real server on loopback, and `newsdesk batch`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

NEWSDESK = [sys.executable, "-m", "service.cli"]
MODEL = ROOT / "models" / "desk"
GOOD = {"id": "ok", "text": "教育部近日召开会议，部署高校毕业生就业创业工作。"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSDESK, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def server():
    from service.rpc import create_server
    from tests.servers import config

    srv, _ = create_server(config(MODEL))
    srv.start()
    yield f"127.0.0.1:{srv.port}"
    srv.stop(0).wait()


def through(path: str, src: Path, server: str, tmp_path: Path) -> tuple[int, list[dict], list]:
    """(exit code, records written, rejects as {line, id, reason}) of one path over `src`."""
    if path == "batch":
        out = tmp_path / "out"
        result = run("batch", str(src), "--out", str(out), "--workers", "1", "--quiet")
        written = [p for p in out.glob("*.jsonl") if not p.name.startswith("_")]
        text = "".join(p.read_text(encoding="utf-8") for p in written)
        errors = out / "_errors.jsonl"
        rejects = errors.read_text(encoding="utf-8") if errors.exists() else ""
    else:
        errors = tmp_path / "errors.jsonl"
        extra = ["--server", server] if path == "server" else []
        result = run("classify", str(src), "--errors", str(errors), *extra)
        text, rejects = result.stdout, errors.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.strip()]  # strict below
    return result.returncode, records, [json.loads(r) for r in rejects.splitlines()]


PATHS = ["local", "server", "batch"]


@pytest.mark.parametrize("path", PATHS)
def test_a_broken_line_names_the_same_column_on_every_path(path, server, tmp_path):
    # The text reader kept each line's "\n": json read a second line and its column 1.
    broken = '{"id":"broken", "text": "abc"'
    src = tmp_path / "in.jsonl"
    src.write_text(broken + "\n" + json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    code, records, rejects = through(path, src, server, tmp_path)
    assert code == 3
    assert [r["id"] for r in records] == ["ok"]
    assert [(r["line"], r["reason"]) for r in rejects] == [
        (1, "not valid JSON: Expecting ',' delimiter at column 30")
    ]


@pytest.mark.parametrize(
    "value, says",
    [
        ("NaN", "NaN is not a JSON number"),
        ("Infinity", "Infinity is not a JSON number"),
        ("-Infinity", "-Infinity is not a JSON number"),
        # Python reads 1e999 as inf, and the record was written back with `Infinity` in it
        ("1e999", "is past the range of a JSON number"),
        ("-1e400", "is past the range of a JSON number"),
        ("[2.5e308]", "is past the range of a JSON number"),
    ],
)
@pytest.mark.parametrize("path", PATHS)
def test_non_numbers_and_numbers_past_a_double_are_refused_never_written_back(
    path, value, says, server, tmp_path
):
    src = tmp_path / "in.jsonl"
    lines = [f'{{"id":"odd","text":"教育部","x": {value}}}', json.dumps(GOOD)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, records, rejects = through(path, src, server, tmp_path)
    assert code == 3
    assert [r["id"] for r in records] == ["ok"]
    assert [r["line"] for r in rejects] == [1]
    assert says in rejects[0]["reason"]
    for record in records:  # what is written is JSON any reader takes
        json.dumps(record, allow_nan=False)


def test_an_integer_past_pythons_digit_limit_is_a_rejected_record_not_a_crash():
    from service.jsonl import Rejected, read_records

    lines = ['{"id": "big", "text": "教育部", "n": ' + "9" * 5000 + "}\n", '{"text": "教育部"}\n']
    (_, first), (_, second) = read_records(lines, source="x")
    assert isinstance(first, Rejected)
    assert first.reason == (
        "not valid JSON: a number of 5000 digits (at most 4300 are read: write it as a string)"
    )
    assert not isinstance(second, Rejected)  # the next line is read as ever


def test_an_unterminated_string_names_where_it_starts_once():
    # json's own message ends on "starting at": the reason said "starting at at column 21".
    from service.jsonl import read_records

    [(_, rejected)] = list(read_records(['{"id": "a", "text": "abc']))
    assert rejected.reason == "not valid JSON: Unterminated string starting at column 21"


def _gzip_with_a_long_line(path: Path, size: int, middle: bytes = b"") -> None:
    """Line 1 and 3 good records, line 2 a JSON string of `size` bytes (`middle` inside it):
    a few kilobytes of gzip whatever `size` is."""
    import gzip

    good = json.dumps(GOOD, ensure_ascii=False).encode()
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(good.replace(b'"ok"', b'"one"') + b'\n{"id": "long", "text": "')
        block = b"a" * (1 << 20)
        for _ in range(size >> 20):
            f.write(block)
        f.write(middle + b'"}\n' + good.replace(b'"ok"', b'"three"') + b"\n")


@pytest.mark.parametrize("path", PATHS)
def test_a_line_past_the_limit_is_refused_unread_on_every_path(path, server, tmp_path):
    from service.validation import MAX_LINE_BYTES

    src = tmp_path / "in.jsonl.gz"
    _gzip_with_a_long_line(src, MAX_LINE_BYTES + (1 << 20))
    code, records, rejects = through(path, src, server, tmp_path)
    assert code == 3
    assert [r["id"] for r in records] == ["one", "three"]
    assert [r["line"] for r in rejects] == [2]
    # in the unit the reader counted, both sides (batch reads shards as text: characters)
    held = re.search(r"holds \d+ (\w+), over the limit of (\d+) (\w+)", rejects[0]["reason"])
    assert held and held[1] == held[3] and int(held[2]) == MAX_LINE_BYTES, rejects[0]["reason"]


@pytest.mark.parametrize("stdin", [False, True], ids=["file", "pipe"])
def test_a_gzip_bomb_of_one_line_is_a_reject_in_bounded_memory(stdin, tmp_path):
    """256 MiB in one line, from 260 KB of gzip, run with 768 MiB of address space: the line
    was read whole (and joined, and decoded), and the run died of a MemoryError."""
    src = tmp_path / "bomb.jsonl.gz"
    _gzip_with_a_long_line(src, 256 << 20)

    # The cap is set by the shell, not by a preexec_fn: that runs in a fork of this process,
    # whose address space (gRPC's threads, models) may be past 768 MiB already, and an
    # allocation there before exec aborted the child (gRPC's fork handler, once in a full run).
    cap = "ulimit -v 786432; "
    args = [*NEWSDESK, "classify", *([] if stdin else [str(src)])]
    result = subprocess.run(
        ["sh", "-c", cap + ('gzip -dc "$0" | "$@"' if stdin else 'exec "$0" "$@"'),
         *([str(src)] if stdin else []), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr[-2000:]
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["one", "three"]
    assert ":2: rejected: the line holds 268435482 bytes, over the limit" in result.stderr
    assert "1 record(s) rejected" in result.stderr


def test_lone_carriage_returns_in_a_dropped_line_still_end_lines():
    """A reader of bytes splits at "\\n" only; a lone "\\r" ends a line too (decode_lines), so
    the stand-in for a dropped line keeps them, and the lines after it their numbers."""
    import io

    from service.jsonl import Rejected, bounded_lines, decode_lines, read_records

    for cut in range(1, 24):  # (at 13 the first piece read ends between "\\r" and "\\n")
        raw = b"x" * cut + b"\r" + b"y" * 5 + b"\r\r\n" + b'{"text":"ok"}\n'
        lines = [x for b in bounded_lines(io.BytesIO(raw), limit=20) for x in decode_lines(b)]
        items = dict(read_records(lines))
        assert list(items) == ([1, 4] if cut + 8 > 20 else [1, 2, 4]), (cut, items)
        assert isinstance(items[1], Rejected) and not isinstance(items[4], Rejected)


def test_rejects_through_a_server_come_in_line_order_as_locally(server, tmp_path):
    # The reader ran ahead of the server's answers: its rejects of later lines were reported
    # before the server's refusal of an earlier one, so `--errors` differed from the local run.
    long = {"id": "long", "text": "长" * 100_001}  # over the server's --max-chars alone
    lines = [json.dumps(GOOD, ensure_ascii=False)] * 3 + [json.dumps(long, ensure_ascii=False)]
    lines += [json.dumps(GOOD, ensure_ascii=False), "{not json", '{"id": "blank", "text": " "}']
    lines += [json.dumps(GOOD, ensure_ascii=False)] * 3
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, records, rejects = through("server", src, server, tmp_path)
    assert code == 3 and len(records) == 7
    assert [r["line"] for r in rejects] == [4, 6, 7]


@pytest.mark.parametrize("path", ["local", "server"])
def test_repeated_ids_are_answered_and_said_once_a_run_never_a_failure(path, server, tmp_path):
    # A repeated id went by without a word: a caller joining the output on ids lost records.
    # 2,100 records make the local run fork its workers: the count is over the whole run.
    many, again = (2_100, 100) if path == "local" else (70, 10)
    ids = [i % (many - again) for i in range(many)]  # the last ones repeat, as integers
    ids[1] = "0"  # the string of an integer id: the same id, as the reject rows write it
    repeats = many - len({str(rid) for rid in ids})
    lines = [json.dumps({**GOOD, "id": rid}, ensure_ascii=False) for rid in ids]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    extra = ["--server", server] if path == "server" else []
    result = run("classify", str(src), *extra)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ids
    notes = [line for line in result.stderr.splitlines() if "repeat the `id`" in line]
    assert notes == [
        f"note: {repeats} record(s) repeat the `id` of an earlier record (the first: line 2, id "
        '"0"); each was answered as sent, in input order: give every record its own id to '
        "join the output on it"
    ]


@pytest.mark.parametrize("command", ["classify", "summarise"])
def test_an_empty_input_or_one_all_rejected_says_so(command, tmp_path):
    # Zero records out is an answer (exit 0) or a run of rejects (exit 3), never a silent one.
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    result = run(command, str(empty))
    assert result.returncode == 0 and result.stdout == ""
    assert f"no records in {empty}" in result.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "只有标题"}\n[1, 2]\n', encoding="utf-8")
    result = run(command, str(bad))
    assert result.returncode == 3 and result.stdout == ""
    assert "2 record(s) rejected, none processed" in result.stderr
    good = tmp_path / "good.jsonl"
    good.write_text('{"text": "国务院常务会议研究部署稳就业工作。"}\n' + bad.read_text("utf-8"))
    result = run(command, str(good))
    assert result.returncode == 3 and "2 record(s) rejected\n" in result.stderr
    assert "no records" not in result.stderr


@pytest.mark.parametrize("path", PATHS)
def test_leads_left_empty_by_max_chars_are_counted_once_a_run_on_stderr(path, server, tmp_path):
    # Every lead empty under a tight --max-chars, exit 0 and nothing on stderr: only each
    # record's `warnings` said why. 2,100 records fork the local workers (9 chunks): the count
    # is over the whole run; batch sums its two shards.
    long = (
        "今天上午市政府召开新闻发布会宣布全市将在下个月起全面推行垃圾分类制度"
        + "并设立专门的监督小组。"
    )
    fits = "市政府今天召开新闻发布会。"
    many = 2_100 if path == "local" else 30
    texts = [long if i % 3 else fits + long for i in range(many)]
    empty = sum(1 for t in texts if t == long)
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]
    folder = tmp_path / "in"
    folder.mkdir()
    for name, part in (("a", lines[:10]), ("b", lines[10:])):
        (folder / f"{name}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
    if path == "batch":
        out = tmp_path / "out"
        result = run("batch", str(folder), "--out", str(out), "--max-chars", "40", "--quiet")
        summary = json.loads((out / "_summary.json").read_text(encoding="utf-8"))
        assert summary["leads_no_fit"] == empty
    else:
        src = tmp_path / "all.jsonl"
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        extra = ["--server", server] if path == "server" else []
        result = run("summarise", str(src), "--max-chars", "40", *extra)
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert sum(r["lead"] == "" for r in records) == empty
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "leads empty" in line]
    assert notes == [
        f"note: {empty:,} of {many:,} leads empty: no whole sentence near the top fits in "
        "--max-chars 40; raise it (each record's `warnings` says so)"
    ]
    # A limit every lead fits says nothing.
    if path == "local":
        result = run("summarise", str(src), "--max-chars", "80")
        assert result.returncode == 0 and "leads empty" not in result.stderr
