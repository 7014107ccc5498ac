"""The `newsdesk` command line, run as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

EXIT_REJECTED = 3  # some records rejected, the rest processed; 2 is a usage error only

NEWSDESK = [sys.executable, "-m", "service.cli"]
MODEL = ROOT / "models" / "desk"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*NEWSDESK, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_split_sample_page_prints_five_articles(sample_page_path):
    result = run("split", str(sample_page_path))
    assert result.returncode == 0, result.stderr
    records = jsonl(result.stdout)
    assert len(records) == 5
    assert records[1]["kicker"] == "胡忠雄率队在北京招商引资并召开驻外招商座谈会"
    assert records[4]["continues"] == "3版"
    for r in records:
        assert set(r) >= {"title", "kicker", "byline", "dateline", "text", "start", "end"}


@pytest.mark.parametrize("name", ["markdown-page.txt", "plain-page.txt"])
@pytest.mark.parametrize("dash", [["-"], []], ids=["dash", "none"])
def test_split_fixture_pages_from_stdin(name, dash):
    # README: input defaults to stdin; split and analyse required a PAGE (usage error, exit 2).
    page = (FIXTURES / name).read_text(encoding="utf-8")
    result = run("split", *dash, stdin=page)
    assert result.returncode == 0, result.stderr
    records = jsonl(result.stdout)
    assert records and all(r["text"] for r in records)
    for r in records:
        assert r["title"].split()[0] in page
        assert r["text"].split("\n")[-1] in page


def test_missing_page_file_is_a_usage_error(tmp_path):
    result = run("split", str(tmp_path / "nope.txt"))
    assert result.returncode == 2
    assert "not found" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["classify", "--no-such-flag"],
        ["classify", "--batch-size", "0"],
        ["summarise", "--batch-size", "x"],
    ],
)
def test_bad_options_are_usage_errors(argv):
    result = run(*argv)
    assert result.returncode == 2 and "usage:" in result.stderr


def test_help_lists_every_exit_code():
    text = run("--help").stdout
    lines = ("0  all went well", "2  usage error", "3  some records were rejected", "130, 143")
    for line in lines:
        assert line in text, text
    # README's exit 2 list, the page limit included (a page over it exits 2)
    assert "not UTF-8 or over 1,000,000 characters" in " ".join(text.split()), text
    assert "or JSON Lines: records are for classify" in " ".join(text.split()), text


def test_serve_help_shows_defaults_but_never_the_token():
    env = {**os.environ, "NEWSDESK_TOKEN": "s3cret-value", "NEWSDESK_WORKERS": "5"}
    result = subprocess.run(
        [*NEWSDESK, "serve", "--help"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert result.returncode == 0
    assert "(default: 5)" in result.stdout and "s3cret-value" not in result.stdout


def test_serve_names_a_bad_env_twin_not_its_flag():
    env = {**os.environ, "NEWSDESK_WORKERS": "abc"}
    result = subprocess.run(
        [*NEWSDESK, "serve", "--model", "models/desk"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "NEWSDESK_WORKERS='abc'" in result.stderr and "whole number" in result.stderr
    # the flag given on the line is refused in argparse's own words, naming the flag
    result = subprocess.run(
        [*NEWSDESK, "serve", "--workers", "x", "--model", "models/desk"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--workers: invalid" in result.stderr and "NEWSDESK_WORKERS" not in result.stderr


def test_version():
    from service import __version__

    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"newsdesk {__version__}"


def test_classify_keeps_order_reports_bad_lines_and_exits_2(tmp_path):
    good = [
        {"id": "a", "title": "本台评论：以改革激发发展活力", "text": "改革是发展的动力。" * 20},
        {
            "id": "b",
            "title": "多地高校开学迎新生",
            "text": "新学期开学，各地高校迎来新生报到。" * 10,
        },
    ]
    lines = [
        json.dumps(good[0], ensure_ascii=False),
        "{not json",
        json.dumps({"id": "c", "title": "没有正文"}, ensure_ascii=False),
        json.dumps(good[1], ensure_ascii=False),
        "[1, 2]",
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    result = run("classify", str(src), "-o", str(out), "--errors", str(errors))
    assert result.returncode == EXIT_REJECTED, result.stderr
    records = jsonl(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == ["a", "b"]
    for r in records:
        assert abs(sum(r["scores"].values()) - 1) < 1e-3
        assert r["label"] == max(r["scores"], key=r["scores"].get)
        assert isinstance(r["review"], bool)
    rejected = jsonl(errors.read_text(encoding="utf-8"))
    assert [(e["line"], e["id"]) for e in rejected] == [(2, None), (3, "c"), (5, None)]
    assert ":2:" in result.stderr and ':3 (id "c"):' in result.stderr and ":5:" in result.stderr


def _record(rid: str, text: str = "新学期开学，各地高校迎来新生报到。") -> bytes:
    return json.dumps({"id": rid, "text": text}, ensure_ascii=False).encode() + b"\n"


def test_classify_refuses_to_write_over_its_input_and_a_failed_run_keeps_the_old_output(
    tmp_path,
):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_record("a"))
    same = run("classify", str(src), "-o", str(src))
    assert same.returncode == 2 and "is also" in same.stderr
    assert src.read_bytes() == _record("a")  # untouched

    out = tmp_path / "out.jsonl"
    out.write_text("yesterday's results\n", encoding="utf-8")
    failed = run("classify", str(src), "-o", str(out), "--model", str(tmp_path / "no-model"))
    assert failed.returncode == 1
    assert out.read_text(encoding="utf-8") == "yesterday's results\n"
    assert not list(tmp_path.glob(".*partial"))  # nothing half-written left behind


def test_inputs_that_are_not_plain_files_are_read_as_they_come(tmp_path):
    import threading

    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(_record("a") + _record("b")))
    writer.start()
    from_fifo = run("classify", str(fifo))
    writer.join(30)
    assert from_fifo.returncode == 0, from_fifo.stderr
    assert [r["id"] for r in jsonl(from_fifo.stdout)] == ["a", "b"]
    via_dev = subprocess.run(
        [*NEWSDESK, "classify", "/dev/stdin"],
        input=_record("c"),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert via_dev.returncode == 0 and jsonl(via_dev.stdout.decode())[0]["id"] == "c"
    empty = subprocess.run(
        [*NEWSDESK, "classify"], stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT
    )
    assert empty.returncode == 0 and empty.stdout == ""  # an empty input is no error
    shut = subprocess.run(
        [*NEWSDESK, "classify"],
        preexec_fn=lambda: os.close(0),  # as `newsdesk classify <&-`
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert shut.returncode == 2 and "stdin is closed" in shut.stderr, shut.stderr


def test_odd_records_are_rejected_into_the_errors_file_and_the_run_goes_on(tmp_path):
    src = tmp_path / "in.jsonl"
    bad_key = b'{"id": "k", "text": "\xe5\xad\xa6\xe6\xa0\xa1", "\\ud800k": 1}\n'
    deep = ('{"id": "d", "text": "x", "m": ' + "[" * 2000 + "]" * 2000 + "}\n").encode()
    src.write_bytes(bad_key + deep + _record("ok"))
    errors = tmp_path / "errors.jsonl"
    result = run("classify", str(src), "--errors", str(errors))
    assert result.returncode == EXIT_REJECTED, result.stderr
    assert [r["id"] for r in jsonl(result.stdout)] == ["ok"]
    rows = jsonl(errors.read_text(encoding="utf-8"))
    assert "\\ud800k" in rows[0]["reason"] and "nested too deeply" in rows[1]["reason"]
    assert [e["id"] for e in rows][:1] == ["k"]  # a reject names its record where it can
    assert f'{src}:1 (id "k"): rejected:' in result.stderr


def test_an_input_whose_name_is_not_utf8_has_its_rejects_written(tmp_path):
    # A Latin-1 file name (caf\xe9.jsonl) is a str with a lone surrogate: classify --errors and
    # batch's _errors.jsonl and shard state died writing it (UnicodeEncodeError traceback).
    folder = tmp_path / "in"
    folder.mkdir()
    src = os.path.join(os.fsencode(folder), b"caf\xe9.jsonl")
    with open(src, "wb") as f:
        f.write(_record("ok") + b"not json\n")
    errors, out = tmp_path / "errors.jsonl", tmp_path / "out"
    runs = (
        ["classify", os.fsdecode(src), "--errors", str(errors)],
        ["batch", str(folder), "--out", str(out), "--quiet"],
    )
    for argv in runs:
        result = subprocess.run([*NEWSDESK, *argv], capture_output=True, cwd=ROOT)
        assert result.returncode == EXIT_REJECTED and b"Traceback" not in result.stderr, (
            result.stderr
        )
    for path in (errors, out / "_errors.jsonl"):
        (row,) = jsonl(path.read_text(encoding="utf-8"))
        assert os.fsencode(row["source"]).endswith(b"caf\xe9.jsonl") and row["line"] == 2
    again = subprocess.run([*NEWSDESK, *runs[1]], capture_output=True, cwd=ROOT)
    assert json.loads(again.stdout)["shards_skipped"] == 1  # its state reads back


def test_errors_to_stderr_take_turns_with_the_messages(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_record("a") + b"not json\n")
    log = tmp_path / "stderr.txt"
    with open(log, "w", encoding="utf-8") as shell_redirect:  # as `2> stderr.txt`
        done = subprocess.run(
            [*NEWSDESK, "classify", str(src), "-o", os.devnull, "--errors", "/dev/stderr"],
            stderr=shell_redirect,
            cwd=ROOT,
        )
    assert done.returncode == EXIT_REJECTED
    text = log.read_text(encoding="utf-8")
    assert '"reason": "not valid JSON' in text and "1 record(s) rejected" in text
    assert all(line.startswith(("{", str(src), "1 record")) for line in text.splitlines())
    mixed = run("classify", str(src), "--errors", "/dev/stdout")
    assert mixed.returncode == 2 and "would mix the rejects" in mixed.stderr


def test_split_reads_a_page_from_dev_stdin(sample_page_path):
    done = subprocess.run(
        [*NEWSDESK, "split", "/dev/stdin"],
        input=sample_page_path.read_bytes(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0 and len(jsonl(done.stdout.decode())) == 5


def test_stdout_named_as_a_path_is_appended_to_not_replaced(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_record("a"))
    log = tmp_path / "app.log"
    log.write_text("before\n", encoding="utf-8")
    with open(log, "a", encoding="utf-8") as shell_redirect:  # as `>> app.log` gives stdout
        done = subprocess.run(
            [*NEWSDESK, "classify", str(src), "-o", "/dev/stdout"],
            stdout=shell_redirect,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
    assert done.returncode == 0, done.stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "before" and json.loads(lines[1])["id"] == "a"
    assert run("classify", str(src), "-o", os.devnull, "--errors", os.devnull).returncode == 0
    mixed = run("classify", str(src), "--errors", "-")
    assert mixed.returncode == 2 and "--errors -" in mixed.stderr


def _classify_midway(tmp_path: Path, out: Path) -> subprocess.Popen:
    """A `classify` of 40,000 records on worker processes, once its answers are being written."""
    import time

    src = tmp_path / "in.jsonl"
    src.write_bytes(_record("a", "新学期开学，各地高校迎来新生报到。" * 30) * 40_000)
    proc = subprocess.Popen(
        [*NEWSDESK, "classify", str(src), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        p.stat().st_size for p in tmp_path.glob(f".{out.name}.*.partial")
    ):
        time.sleep(0.02)
    return proc


def test_a_worker_killed_mid_run_stops_it_with_a_clear_error(tmp_path):
    import signal

    out = tmp_path / "out.jsonl"
    proc = _classify_midway(tmp_path, out)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    os.kill(int(children[0]), signal.SIGKILL)
    _, err = proc.communicate(timeout=60)  # before the fix: waited for the lost chunk forever
    assert proc.returncode == 1 and "worker process died" in err, err
    assert not out.exists() and not list(tmp_path.glob(".*partial"))


def test_outputs_that_are_not_plain_files_are_written_as_they_are(tmp_path):
    import stat
    import threading

    src = tmp_path / "in.jsonl"
    src.write_bytes(_record("a") + _record("b"))
    clash = run("classify", str(src), "-o", str(tmp_path / "x"), "--errors", str(tmp_path / "x"))
    assert clash.returncode == 2 and "is also" in clash.stderr

    assert run("classify", str(src), "-o", os.devnull).returncode == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)  # still the device, not a file

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert run("classify", str(src), "-o", str(fifo)).returncode == 0
    reader.join(30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and len(jsonl(got[0].decode())) == 2

    real, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    real.write_text("old\n", encoding="utf-8")
    link.symlink_to(real)
    assert run("classify", str(src), "-o", str(link)).returncode == 0
    assert link.is_symlink() and len(jsonl(real.read_text(encoding="utf-8"))) == 2


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing.jsonl", "input file not found"),
        (lambda d: d, "is a folder"),
    ],
    ids=["missing", "folder"],
)
def test_a_bad_input_path_is_one_line_and_exit_2(tmp_path, make, message):
    result = run("classify", str(make(tmp_path)), "-o", str(tmp_path / "new" / "out.jsonl"))
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "new").exists()  # no output folder made for a run that cannot start


@pytest.mark.parametrize("flag", ["-o", "--errors"])
def test_an_output_file_in_a_missing_folder_is_a_usage_error(tmp_path, flag):
    # A file output goes into a folder that exists: a typo in its path is not made a new
    # folder (batch --out, a folder the job owns, is created).
    src = tmp_path / "in.jsonl"
    src.write_bytes(_record("a"))
    result = run("classify", str(src), flag, str(tmp_path / "nodir" / "out.jsonl"))
    assert result.returncode == 2 and "no such folder" in result.stderr, result.stderr
    assert str(tmp_path / "nodir") in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "nodir").exists()


def test_analyse_to_a_missing_folder_is_a_usage_error(tmp_path, sample_page_path):
    result = run("analyse", str(sample_page_path), "-o", str(tmp_path / "nodir" / "out.txt"))
    assert result.returncode == 2 and "no such folder" in result.stderr, result.stderr
    assert not (tmp_path / "nodir").exists()


def test_gzip_is_read_by_content_and_written_by_suffix(tmp_path):
    import gzip

    src = tmp_path / "in.jsonl"  # compressed, though its name does not say so
    src.write_bytes(gzip.compress(_record("a") + _record("b")))
    out = tmp_path / "out.jsonl.gz"
    result = run("classify", str(src), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in jsonl(gzip.decompress(out.read_bytes()).decode())] == ["a", "b"]

    truncated = tmp_path / "cut.jsonl.gz"
    packed = gzip.compress(b"".join(_record(f"r{i}") for i in range(200)))
    truncated.write_bytes(packed[: len(packed) // 2])
    broken = run("classify", str(truncated), "-o", str(tmp_path / "never.jsonl"))
    assert broken.returncode == 1 and "truncated" in broken.stderr
    assert f"{truncated} ends early" in broken.stderr  # (the file named, not "the input")
    assert "Traceback" not in broken.stderr and not (tmp_path / "never.jsonl").exists()


def test_gzip_on_stdin_is_read_by_content():
    import gzip

    piped = subprocess.run(
        [*NEWSDESK, "classify"],
        input=gzip.compress(_record("a") + _record("b")),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert piped.returncode == 0, piped.stderr
    assert [r["id"] for r in jsonl(piped.stdout.decode())] == ["a", "b"]


@pytest.mark.parametrize(
    "flag, value", [("--max-sentences", "51"), ("--max-chars", "100001"), ("--max-chars", "-1")]
)
def test_lead_bounds_are_checked_before_any_work(flag, value):
    result = run("summarise", flag, value, "--server", "127.0.0.1:1", stdin="")
    assert result.returncode == 2 and flag in result.stderr
    assert "whole number" not in result.stderr  # the bound is named, not the type


def test_a_byte_order_mark_is_dropped_and_bytes_not_utf8_are_refused_by_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b"\xef\xbb\xbf"
        + _record("a")
        + _record("bad", "学校开学").replace("学".encode(), b"\xff\xfe")
        + b"\xff{}\n"
    )
    result = run("classify", str(src))
    assert result.returncode == EXIT_REJECTED
    assert [r["id"] for r in jsonl(result.stdout)] == ["a"]
    assert ":2 (id \"bad\"): rejected: field 'text' holds bytes that are not UTF-8" in result.stderr
    assert ":3: rejected: not UTF-8 at column 1" in result.stderr
    # Two such files joined with cat: the second mark said "Expecting value at column 1".
    src.write_bytes((b"\xef\xbb\xbf" + _record("a")) * 2)
    result = run("classify", str(src))
    assert result.returncode == EXIT_REJECTED
    assert ":2: rejected: a byte-order mark (U+FEFF) opens the line" in result.stderr


def test_a_gbk_file_s_rejections_say_how_to_convert_it(tmp_path):
    # A city archive's GBK export: each line was refused with "the file must be UTF-8" and no
    # way to get there (a page not UTF-8 names iconv -f GB18030; i165's audit)
    src = tmp_path / "in.jsonl"
    src.write_bytes(_record("a", "学校开学。").decode().encode("gbk") + "教育\n".encode("gbk"))
    result = run("classify", str(src))
    assert result.returncode == EXIT_REJECTED and result.stdout == ""
    rows = [line for line in result.stderr.splitlines() if ": rejected: " in line]
    assert len(rows) == 2 and all("iconv -f GB18030 -t UTF-8" in row for row in rows), rows


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_refused_whole_not_line_by_invented_line(tmp_path, encoding):
    # Read by lines, a UTF-16 file's bytes made lines it does not have: 33 rejections, numbered
    # past its end, for 5 records. Refused whole, saying how to convert it (exit 2, as a page).
    text = "\ufeff" + "".join(_record(str(i)).decode() for i in range(5))
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(text.encode(encoding))  # FF FE or FE FF first
    for argv in (["classify", str(src), "-o", str(out)], ["summarise", "-"]):
        result = subprocess.run([*NEWSDESK, *argv], input=src.read_bytes(), capture_output=True)
        stderr = result.stderr.decode()
        assert result.returncode == 2 and "rejected" not in stderr, stderr
        assert "is UTF-16" in stderr and "iconv -f UTF-16 -t UTF-8" in stderr
    assert not out.exists()


def _packed(kind: str, data: bytes) -> bytes:
    import bz2
    import io
    import lzma
    import zipfile

    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("in.jsonl", data)
        return buf.getvalue()
    if kind == "zstd":  # (no zstd in 3.11's library: its frame magic, then bytes)
        return b"\x28\xb5\x2f\xfd" + lzma.compress(data)
    return {"bzip2": bz2.compress, "xz": lzma.compress}[kind](data)


@pytest.mark.parametrize("kind", ["bzip2", "xz", "zstd", "zip"])
def test_a_file_compressed_other_than_by_gzip_is_refused_whole(tmp_path, kind, sample_page_path):
    # An archive's .jsonl.xz or .bz2 was read as text: a "not UTF-8 … a GBK file: iconv"
    # rejection for every line it made up (exit 3), never the one thing to do. Refused whole,
    # naming the format and how to unpack it (exit 2, as a UTF-16 file).
    src, out = tmp_path / "in.jsonl.x", tmp_path / "out.jsonl"
    src.write_bytes(_packed(kind, b"".join(_record(str(i)) for i in range(5))))
    page = tmp_path / "page.txt.x"
    page.write_bytes(_packed(kind, sample_page_path.read_bytes()))
    argvs = (["classify", str(src), "-o", str(out)], ["summarise", "-"], ["analyse", str(page)])
    for argv in argvs:
        result = subprocess.run([*NEWSDESK, *argv], input=src.read_bytes(), capture_output=True)
        stderr = result.stderr.decode()
        assert result.returncode == 2 and "rejected" not in stderr, stderr
        assert f"is {kind}" in stderr or f"is a {kind}" in stderr, stderr
        assert "-dc IN > OUT" in stderr or "unzip -p IN > OUT" in stderr, stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "what"), [(["classify"], "JSONL records"), (["split", "-"], "a page's text")]
)
def test_a_terminal_as_input_is_named_not_waited_on_in_silence(argv, what):
    # `newsdesk classify` with no file sat silent on a terminal, reading records a newcomer
    # did not know it waited for; it says so, and how to end or give a file. A pipe: no note.
    import pty

    typed = _record("a") if argv[0] == "classify" else "标题\n市教育局部署开学工作。\n".encode()
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [*NEWSDESK, *argv], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        os.write(master, typed + b"\x04")  # a line typed, then Ctrl-D: the end of the input
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 0 and len(stdout.splitlines()) == 1, stderr
    assert f"reading {what} from the terminal" in stderr.decode()
    assert "Ctrl-D" in stderr.decode() and f"newsdesk {argv[0]} FILE" in stderr.decode()
    piped = subprocess.run([*NEWSDESK, *argv], input=typed, capture_output=True)
    assert piped.returncode == 0 and b"from the terminal" not in piped.stderr


@pytest.mark.parametrize("argv", [["classify"], ["analyse", "-"]])
def test_one_ctrl_d_ends_an_empty_input_on_a_terminal(argv):
    # The gzip and encoding checks peeked stdin first: on a terminal, a peek meeting Ctrl-D on
    # an empty line took the end of input, and the read after it waited for another (three
    # Ctrl-D to end classify, two analyse). One ends it: classify's answer to nothing is 0,
    # analyse's an empty page, 2.
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [*NEWSDESK, *argv], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        os.write(master, b"\x04")
        try:
            _, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"newsdesk {argv[0]} still waits after one Ctrl-D")
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == (0 if argv == ["classify"] else 2), stderr


def test_page_offsets_count_the_pages_own_code_points(tmp_path, sample_page_path):
    # A CRLF page must not be read with newline translation: offsets are into the text as
    # sent, the same a gRPC caller gets for the same text.
    text = sample_page_path.read_text(encoding="utf-8").replace("\n", "\r\n")
    page = tmp_path / "crlf.txt"
    page.write_bytes(b"\xef\xbb\xbf" + text.encode())  # with a byte-order mark, too
    result = run("split", str(page))
    assert result.returncode == 0, result.stderr
    for r in jsonl(result.stdout):
        assert (
            text[r["start"] : r["end"]].lstrip("#\r\n ").startswith(r["kicker"] or r["title"][:4])
        )
    page.write_bytes("标题\n正文".encode("gbk"))
    bad = run("split", str(page))
    assert bad.returncode == 2 and "not UTF-8" in bad.stderr


def test_sigterm_mid_run_removes_the_half_written_output_and_stops_the_workers(tmp_path):
    import signal

    out = tmp_path / "out.jsonl"
    out.write_text("yesterday's results\n", encoding="utf-8")
    proc = _classify_midway(tmp_path, out)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "terminated" in err
    assert f"--output {out} left as it was; the " in err  # and what was not kept
    assert out.read_text(encoding="utf-8") == "yesterday's results\n"
    assert not list(tmp_path.glob(".*partial"))


def test_ctrl_c_mid_run_to_stdout_says_how_many_records_were_written(tmp_path):
    """Ctrl-C while classify writes to stdout said "interrupted" alone, though the records
    written so far stay there (an -o file is left as it was, and says so): how many is what a
    rerun must skip. The count is the number of whole lines on stdout."""
    import signal
    import time

    src, out = tmp_path / "in.jsonl", tmp_path / "stdout.jsonl"
    src.write_bytes(_record("a", "新学期开学，各地高校迎来新生报到。" * 30) * 40_000)
    # A run started in the background (`pytest … &`) inherits SIGINT ignored: give the child
    # Ctrl-C's default, as a terminal's foreground job has it.
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with open(out, "wb") as stdout:
            proc = subprocess.Popen([*NEWSDESK, "classify", str(src)], stdout=stdout,
                                    stderr=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, ignored)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and out.stat().st_size < 100_000:
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before it could be stopped"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130 and "Traceback" not in err, err
    data = out.read_bytes()
    whole = data.count(b"\n")
    assert 0 < whole < 40_000
    said = re.search(r"newsdesk classify: interrupted; ([\d,]+) record\(s\) written whole to "
                     r"standard output, the input's first ones in order", err)  # fmt: skip
    assert said and int(said.group(1).replace(",", "")) == whole, err
    assert data.endswith(b"\n") == ("part of the next" not in err)


@pytest.mark.parametrize("to_file", [True, False], ids=["-o", "stdout"])
def test_an_output_that_fills_up_mid_run_is_one_line_and_exit_1(tmp_path, to_file):
    # A file-size limit stands in for a full disk (ENOSPC alike): the run was on worker
    # processes, and their pool, shut at interpreter exit, printed a traceback under the error.
    import resource

    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(_record("a", "新学期开学，各地高校迎来新生报到。" * 10) * 5_000)
    out.write_text("yesterday's results\n", encoding="utf-8")
    limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))  # noqa: E731
    argv = [*NEWSDESK, "classify", str(src), *(["-o", str(out)] if to_file else [])]
    with open(tmp_path / "stdout", "wb") as stdout:
        result = subprocess.run(
            argv, stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=ROOT, preexec_fn=limit
        )
    assert result.returncode == 1, result.stderr
    assert "File too large" in result.stderr
    named = f"cannot write --output {out}" if to_file else "cannot write standard output"
    assert f"OSError: {named}" in result.stderr  # it said "[Errno 27] File too large" alone
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert out.read_text(encoding="utf-8") == "yesterday's results\n"
    assert not list(tmp_path.glob(".*partial"))


def test_a_run_started_with_stderr_or_stdout_closed(tmp_path, sample_page_path):
    # 2>&-: print(file=None) writes to stdout, so every note and reject went into the results,
    # and a run of more than 2,048 records crashed on sys.stderr.isatty() after 256 of them.
    # >&-: an AttributeError traceback; now a usage error, as a closed stdin is.
    src = tmp_path / "in.jsonl"
    src.write_bytes(_record("a") + b"not json\n" + _record("b") * 3000)
    closed = {"stderr": lambda: os.close(2), "stdout": lambda: os.close(1)}
    result = subprocess.run(
        [*NEWSDESK, "classify", str(src)],
        capture_output=True,
        cwd=ROOT,
        preexec_fn=closed["stderr"],
    )
    assert result.returncode == EXIT_REJECTED
    assert [r["id"] for r in jsonl(result.stdout.decode())] == ["a"] + ["b"] * 3000
    for argv in (["split", str(sample_page_path)], ["classify", str(src)]):
        result = subprocess.run(
            [*NEWSDESK, *argv], capture_output=True, cwd=ROOT, preexec_fn=closed["stdout"]
        )
        assert result.returncode == 2 and b"stdout is closed" in result.stderr, result.stderr


@pytest.mark.parametrize("term", ["dumb", "xterm"])
def test_batch_progress_on_a_dumb_terminal_sends_no_escape(tmp_path, term):
    # \x1b[K (erase the line's end) showed as ^[[K on a dumb terminal (Emacs' shell).
    import pty

    src = tmp_path / "in.jsonl"
    src.write_bytes(_record("a") * 50)
    main, tty = pty.openpty()
    argv = [*NEWSDESK, "batch", str(src), "--out", str(tmp_path / "out"), "--workers", "1"]
    env = {**os.environ, "TERM": term}
    with subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=tty, cwd=ROOT, env=env) as proc:
        os.close(tty)
        shown = b""
        while True:
            try:
                piece = os.read(main, 4096)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not piece:
                break
            shown += piece
    os.close(main)
    assert proc.returncode == 0 and b"batch: shards 1/1" in shown, shown
    assert (b"\x1b" in shown) == (term != "dumb")


def test_classify_answers_a_live_pipe_record_by_record():
    # A producer that writes a record and waits (tail -f feed | newsdesk classify) gets each
    # answer before it writes the next one, not after a chunk of 256 has filled.
    import queue
    import threading

    proc = subprocess.Popen(
        [*NEWSDESK, "classify"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(x) for x in proc.stdout], daemon=True).start()
    records = [
        {"id": "a", "text": "贵阳市委书记胡忠雄率队调研数字经济企业。"},
        "{not json",
        {"id": "b", "text": "市教育局部署新学期中小学开学工作。"},
    ]
    try:
        answers = []
        for record in records:
            line = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
            proc.stdin.write(line.encode() + b"\n")
            proc.stdin.flush()
            if isinstance(record, dict):  # its answer comes while stdin is still open
                answers.append(json.loads(out.get(timeout=60)))
        proc.stdin.close()
        assert proc.wait(timeout=60) == EXIT_REJECTED  # one line was rejected
        assert [a["id"] for a in answers] == ["a", "b"] and all(a["label"] for a in answers)
        assert "-:2: rejected: not valid JSON" in proc.stderr.read().decode()
    finally:
        proc.kill()


def test_summarise_adds_lead_spans_into_the_callers_text():
    text = "本报讯 12月17日，全市教育工作会议召开。会议部署了明年的重点任务。各区县负责人参加。"
    rec = {"id": 1, "title": "全市教育工作会议召开", "text": text}
    result = run("summarise", "--max-sentences", "1", stdin=json.dumps(rec, ensure_ascii=False))
    assert result.returncode == 0, result.stderr
    (out,) = jsonl(result.stdout)
    assert out["lead"] and "本报讯" not in out["lead"]
    assert "".join(text[a:b] for a, b in out["lead_spans"]) == out["lead"]


def test_analyse_sample_page_json(sample_page_path):
    result = run("analyse", str(sample_page_path), "--json")
    assert result.returncode == 0, result.stderr
    records = jsonl(result.stdout)
    assert [r["label"] for r in records] == [
        "leadership",
        "leadership",
        "commentary",
        "industry",
        "education",
    ]
    assert all(isinstance(r["review"], bool) for r in records)
    page = sample_page_path.read_text(encoding="utf-8")
    for r in records:
        assert r["lead"] and r["offsets_into"] == "page"
        assert page[r["start"] : r["end"]].strip() == page[r["start"] : r["end"]]
        for a, b in r["lead_spans"]:
            assert r["start"] <= a < b <= r["end"]
            assert page[a:b] in r["lead"]


def test_json_on_stdout_is_utf8_whatever_the_locale(tmp_path, sample_page_path):
    # PYTHONIOENCODING stands in for a GB18030 or ASCII locale: JSON Lines on stdout are UTF-8
    # as -o FILE writes them (they were GB18030 bytes, or a UnicodeEncodeError traceback); the
    # table for people keeps the terminal's encoding, `?` for what it cannot show.
    page = str(sample_page_path)
    for encoding in ("ascii", "gb18030"):
        env = {**os.environ, "PYTHONIOENCODING": encoding}
        for argv in (["split", page], ["analyse", "--json", page], ["analyse", page]):
            result = subprocess.run([*NEWSDESK, *argv], capture_output=True, cwd=ROOT, env=env)
            assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
            if "split" in argv:
                out = tmp_path / "split.jsonl"
                assert run("split", page, "-o", str(out)).returncode == 0
                assert result.stdout == out.read_bytes()
            if "--json" in argv:
                assert jsonl(result.stdout.decode("utf-8"))[0]["label"] == "leadership"
        folder, records = tmp_path / f"输出-{encoding}", tmp_path / "in.jsonl"
        records.write_bytes(_record("a"))
        argv = ["batch", str(records), "--out", str(folder), "--quiet", "--workers", "1"]
        result = subprocess.run([*NEWSDESK, *argv], capture_output=True, cwd=ROOT, env=env)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.decode("utf-8"))["out_dir"] == str(folder)


def test_analyse_table_is_readable(sample_page_path):
    result = run("analyse", str(sample_page_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 + 5 and "label" in lines[0] and "review" in lines[0]
    assert all(" yes " in line or " no " in line for line in lines[2:])
    # the sample page has flagged rows: stderr says why, row by row, with the thresholds
    note = result.stderr.split("review yes: ")[1].splitlines()
    cuts = dict(item.split() for item in note[-1].removeprefix("thresholds: ").split(", "))
    assert set(cuts) == {"commentary", "education", "industry", "leadership", "other"}
    # three decimals, more where three would read 1.000 (commentary's 0.9995 at stop 47)
    assert all(len(cut) >= 5 and 0 < float(cut) < 1 for cut in cuts.values()), cuts
    flagged = [i for i, line in enumerate(lines[2:], start=1) if " yes " in line]
    assert [line.split(":")[0].strip() for line in note[1:-1]] == [f"row {i}" for i in flagged]
    for line in note[1:-1]:  # the row's confidence under its own label's threshold, both shown
        conf, label, cut = re.fullmatch(
            r"  row \d+: confidence (\S+) under (\w+)'s threshold (\S+) \(low_score\)", line
        ).groups()
        assert float(conf) < float(cut) and abs(float(cut) - float(cuts[label])) < 1e-3


def test_analyse_table_says_why_each_row_is_flagged(tmp_path):
    # a line of English: too foreign to file as well as under its threshold, and the row says so
    page = tmp_path / "page.txt"
    page.write_text("## Weather report\nSunny today, says the city office.\n", encoding="utf-8")
    result = run("analyse", "--no-summary", str(page))
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stderr.splitlines() if line.startswith("  row 1: "))
    assert row.endswith("the text is too short or too foreign to file (thin_text)"), row


def test_analyse_row_note_never_shows_a_threshold_as_1_000(tmp_path):
    # commentary's threshold is 0.9995: a row at 0.968 read "under commentary's threshold
    # 1.000" while the thresholds line under it said 0.9995 (i165's audit)
    page = tmp_path / "page.txt"
    body = "城市治理要坚持以人民为中心，把群众的冷暖放在心上。"
    body += "我们应当看到，只有倾听民声，才能让城市更有温度。"
    page.write_text(f"## 让城市更有温度\n{body}\n", encoding="utf-8")
    result = run("analyse", "--no-summary", str(page))
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stderr.splitlines() if line.startswith("  row 1: "))
    cut = re.search(r"commentary's threshold (\S+) \(low_score\)", row).group(1)
    assert float(cut) < 1 and cut != "1.000", row


def test_analyse_table_columns_hold_with_a_tab_or_zero_width_space_in_a_title(tmp_path):
    # a tab shows as one space (it jumped to the next tab stop), a zero-width space takes no
    # column: the title column is what a title with a plain space and none would give
    body = "教育部近日召开会议，部署高校毕业生就业创业工作。会议要求各地高校做好就业服务。\n"
    titles = {"odd": "教育\t部署\u200b高校毕业生就业工作", "plain": "教育 部署高校毕业生就业工作"}
    columns = {}
    for name, title in titles.items():
        page = tmp_path / f"{name}.txt"
        page.write_text(f"## {title}\n{body}", encoding="utf-8")
        result = run("analyse", "--no-summary", str(page))
        assert result.returncode == 0, result.stderr
        row = result.stdout.splitlines()[2]
        columns[name] = re.split(r"(?<=  )[a-z]+ +\d\.\d{3}  ", row)[0]
    assert "\t" not in columns["odd"]
    assert columns["odd"].replace("\u200b", "") == columns["plain"], columns


def test_analyse_table_shows_control_characters_escaped_and_json_keeps_them(tmp_path):
    """A page's ESC[31m coloured the terminal and a BEL rang it: the table printed them raw.
    The table shows them escaped; --json keeps the text exact, so the lead's spans slice it."""
    page = tmp_path / "page.txt"
    page.write_text(
        "## 全市\x1b[31m教育\x1b[0m会议召开\n"
        "全市教育工作会议\x07召开。会议部署了明年的重点任务，各区县负责人参加了会议。\n",
        encoding="utf-8",
    )
    table = run("analyse", str(page))
    assert table.returncode == 0, table.stderr
    assert "\x1b" not in table.stdout and "\x07" not in table.stdout
    assert "全市\\x1b[31m教育" in table.stdout and "会议\\x07召开" in table.stdout
    data = run("analyse", "--json", str(page))
    (record,) = [json.loads(line) for line in data.stdout.splitlines()]
    raw = page.read_text(encoding="utf-8")
    assert "\x07" in record["lead"]
    assert "".join(raw[a:b] for a, b in record["lead_spans"]) == record["lead"]


def test_analyse_table_columns_line_up_and_an_empty_lead_says_why(sample_page_path):
    from service.cli.commands import _width

    result = run("analyse", "--max-chars", "20", str(sample_page_path))
    rows = result.stdout.splitlines()[2:]
    # a title cut with "…" (rows 1-3) pads to the width of one that fits (rows 4-5)
    labels = ("leadership", "commentary", "industry", "education", "other")
    label_at = {
        _width(row[: min(row.find(f" {x} ") for x in labels if f" {x} " in row)]) for row in rows
    }
    assert len(rows) == 5 and len(label_at) == 1, rows
    assert any(
        row.endswith("(no lead: no whole sentence near the top fits in 20 characters)")
        for row in rows
    )


def test_bad_model_folder_exits_1(tmp_path, sample_page_path):
    result = run("analyse", str(sample_page_path), "--model", str(tmp_path))
    assert result.returncode == 1
    assert "ModelError" in result.stderr or "ModelNotLoaded" in result.stderr
    named_a_file = run("analyse", str(sample_page_path), "--model", str(sample_page_path))
    assert named_a_file.returncode == 1 and "is a file" in named_a_file.stderr


def test_a_folder_that_is_no_newsdesk_model_is_named_so_alike_by_every_command(tmp_path):
    # Another library's model folder (or an empty one) was told "retrain with `make train`" by
    # classify and "no model at … unreadable" by batch: one message, from the one loader.
    foreign, empty, records = tmp_path / "bert", tmp_path / "empty", tmp_path / "in.jsonl"
    foreign.mkdir()
    empty.mkdir()
    (foreign / "config.json").write_text("{}", encoding="utf-8")
    (foreign / "pytorch_model.bin").write_bytes(b"\0" * 16)
    records.write_text(_record("a").decode(), encoding="utf-8")
    for folder, held in (
        (foreign, "it holds config.json, pytorch_model.bin"),
        (empty, "it is empty"),
    ):
        said = (
            f"{folder} is not a newsdesk model folder (no manifest.json; {held}): pass --model a "
            "folder `make train` wrote, holding model.npz and manifest.json"
        )
        for argv in (
            ["classify", str(records)],
            ["summarise", str(records)],
            ["batch", str(records), "--out", str(tmp_path / "out"), "--quiet"],
        ):
            result = run(*argv, "--model", str(folder))
            assert result.returncode == 1 and said in result.stderr, (argv, result.stderr)
            assert "retrain" not in result.stderr and "Traceback" not in result.stderr
        # serve waits for a model to land in an existing folder (NOT_SERVING); its log says why
        with subprocess.Popen(
            [*NEWSDESK, "serve", "--model", str(folder), "--address", "127.0.0.1:0"],
            stderr=subprocess.PIPE, text=True, cwd=ROOT,
        ) as proc:  # fmt: skip
            try:
                first = proc.stderr.readline()
            finally:
                proc.terminate()
                proc.communicate(timeout=60)
        assert "model load refused" in first and said in first, first


def test_split_of_an_empty_page_is_a_usage_error():
    result = run("split", "-", stdin=" \n\n")
    assert result.returncode == 2 and "page text is empty" in result.stderr


def test_a_gzipped_page_is_read_by_content_and_a_cut_one_is_trouble(tmp_path, sample_page_path):
    import gzip

    packed = gzip.compress(sample_page_path.read_bytes())
    (tmp_path / "page.txt").write_bytes(packed)  # no .gz name: content decides, as for JSONL
    (tmp_path / "cut.gz").write_bytes(packed[:100])
    plain, zipped = run("split", str(sample_page_path)), run("split", str(tmp_path / "page.txt"))
    assert zipped.returncode == 0 and zipped.stdout == plain.stdout
    cut = run("split", str(tmp_path / "cut.gz"))
    assert cut.returncode == 1 and "EOFError: " in cut.stderr  # (its type, as every error line)
    assert "cut.gz ends early, a truncated gzip" in cut.stderr
    # Bytes after the gzip stream's end: "Not a gzipped file (b'ju')" alone named no file.
    (tmp_path / "tail.gz").write_bytes(packed + b"junk\n")
    (tmp_path / "tail.jsonl.gz").write_bytes(gzip.compress(_record("a")) + b"junk\n")
    for argv in (
        ["split", str(tmp_path / "tail.gz")],
        ["classify", str(tmp_path / "tail.jsonl.gz")],
    ):
        tail = run(*argv)
        assert tail.returncode == 1 and "Traceback" not in tail.stderr
        assert f"BadGzipFile: {argv[1]} is not a sound gzip file" in tail.stderr
        assert "gzip -t" in tail.stderr


@pytest.mark.parametrize("command", ["split", "analyse"])
def test_records_given_as_a_page_are_a_usage_error(command: str):
    # A file of JSON records read as a page made rows titled '{"id": 18, "title": …', exit 0
    # (i165's audit): refused, naming the commands that read records
    records = "\ufeff" + _record("a").decode() + _record("b").decode()
    result = run(command, "-", stdin=records)
    assert result.returncode == 2 and "JSON Lines" in result.stderr, result.stderr
    assert "newsdesk classify" in result.stderr and result.stdout == ""
    # pages a line are batch --pages' (the message named only the commands reading records)
    assert "newsdesk batch --pages" in result.stderr
    # a page that quotes a JSON object further down is a page
    page = "## 教育部部署高校毕业生就业工作\n教育部近日召开会议，部署就业工作。\n"
    page += '{"text": "x"}\n'
    assert run(command, "-", stdin=page).returncode == 0


@pytest.mark.parametrize("command", ["split", "analyse"])
def test_a_page_of_furniture_only_says_so(command: str):
    page = "人民日报 2019年2月21日 星期四 第6版\n本版责编：张三\n"
    result = run(command, "-", stdin=page)
    assert result.returncode == 0  # zero articles is an answer
    assert "no article found on the page" in result.stderr
    assert "人民日报" not in result.stdout


@pytest.mark.parametrize("command", ["split", "analyse"])
def test_a_page_of_columns_side_by_side_is_said_on_stderr(command: str, tmp_path: Path):
    from tests.test_side_by_side import one_column_page, side_by_side_page

    (tmp_path / "columns.txt").write_text(side_by_side_page(), encoding="utf-8")
    result = run(command, str(tmp_path / "columns.txt"))
    assert result.returncode == 0 and result.stdout  # read as one column: said, not refused
    assert "warning: the page looks set in columns side by side" in result.stderr
    assert "pdftotext without -layout" in result.stderr
    plain = run(command, "-", stdin=one_column_page())
    assert plain.returncode == 0 and "warning" not in plain.stderr


def test_classify_import_stays_light():
    """`newsdesk classify` must not pay for grpc, dask or training at start-up."""
    code = (
        "import sys, service.cli, service.pipeline, service.jsonl;"
        "bad = [m for m in ('grpc', 'dask', 'distributed', 'training', 'matplotlib') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize(
    ("argv", "preset", "threads"),
    [
        (["classify", "--help"], None, "1"),
        (["classify", "--help"], "4", "4"),
        (["split", "-h"], None, None),
    ],
)
def test_record_commands_keep_blas_to_one_thread(argv, preset, threads):
    """classify/summarise keep OpenBLAS to one thread unless the caller said otherwise."""
    code = (
        "import os, sys; from service.cli import main\n"
        "try: main(sys.argv[1:])\n"
        "except SystemExit: pass\n"
        "print(repr(os.environ.get('OPENBLAS_NUM_THREADS')), file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert out.stderr.strip().splitlines()[-1] == repr(threads)


def test_the_blas_cap_comes_before_numpy_loads():
    """`newsdesk classify` as a program: OpenBLAS starts one thread (it reads the setting once,
    when numpy loads, which importing service.cli does), where `split` starts its usual pool."""

    def threads(command: str) -> int:
        code = "import os, service.cli; print(len(os.listdir('/proc/self/task')))"
        # (OpenBLAS reads the first it finds; a Dask LocalCluster of an earlier test sets them all)
        pins = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")
        env = {k: v for k, v in os.environ.items() if k not in pins}
        out = subprocess.run(
            [sys.executable, "-c", code, command, "--help"],
            capture_output=True, text=True, cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        return int(out.stdout.split()[-1])

    if threads("split") == 1:
        pytest.skip("OpenBLAS starts one thread here anyway (one core): nothing to tell apart")
    assert threads("classify") == 1


def _through_a_server(command: str, src: Path, *flags: str) -> subprocess.CompletedProcess:
    """`newsdesk COMMAND SRC --server [FLAGS]` against a real server with the shipped model."""
    from service.rpc import create_server
    from tests.servers import config

    srv, _ = create_server(config(MODEL))
    srv.start()
    try:
        return run(command, str(src), "--server", f"127.0.0.1:{srv.port}", *flags)
    finally:
        srv.stop(0).wait()


def test_classify_talks_tls_to_a_tls_server_with_tls_ca(tmp_path):
    from service.rpc import create_server
    from tests.servers import config, free_port, self_signed

    cert, key = self_signed(tmp_path)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "贵阳市召开会议，研究部署工作。"}) + "\n")
    srv, _ = create_server(config(MODEL, tls_cert=cert, tls_key=key))
    srv.start()
    try:
        server = ("--server", f"127.0.0.1:{srv.port}")
        ok = run("classify", str(src), *server, "--tls-ca", str(cert))
        assert ok.returncode == 0, ok.stderr
        assert jsonl(ok.stdout)[0]["id"] == "a" and jsonl(ok.stdout)[0]["label"]
        missing = run("classify", str(src), *server, "--tls-ca", str(tmp_path / "no.pem"))
        assert missing.returncode == 2 and "--tls-ca" in missing.stderr
        # A server out of reach is said with what to check: gRPC alone said "failed to connect
        # to all addresses; … Socket closed" to a plain client at a TLS port, nothing of TLS.
        plain = run("classify", str(src), *server)
    finally:
        srv.stop(0).wait()
    assert plain.returncode == 1
    assert f"cannot reach a newsdesk server at 127.0.0.1:{srv.port}" in plain.stderr
    assert "pass its certificate (newsdesk CLI: --tls-ca PEM or NEWSDESK_TLS_CA" in plain.stderr
    down = run("summarise", str(src), "--server", f"127.0.0.1:{free_port()}")
    assert down.returncode == 1 and "is `newsdesk serve` running there" in down.stderr


def test_classify_through_a_server_equals_local(tmp_path):
    """--server: same records, labels and rejects (by line number) as the local run."""

    rows = [
        {"id": "a", "title": "本台评论：以改革激发发展活力", "text": "改革是发展的动力。" * 20},
        {
            "id": "b",
            "title": "多地高校开学迎新生",
            "kicker": "新学期新气象",
            "subtitle": "各地做好迎新工作",
            "text": "新学期开学，各地高校迎来新生。" * 9,
            "error": {"message": "an upstream field of the caller's own"},
        },
    ]
    lines = [json.dumps(rows[0], ensure_ascii=False), "{not json", "", "[1]"]
    lines += [json.dumps(rows[1], ensure_ascii=False), json.dumps({"id": "c", "text": " "})]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    remote = _through_a_server("classify", src)
    local = run("classify", str(src))
    assert remote.returncode == local.returncode == EXIT_REJECTED, remote.stderr
    got, want = jsonl(remote.stdout), jsonl(local.stdout)
    assert [r["id"] for r in got] == [r["id"] for r in want] == ["a", "b"]
    assert [r["label"] for r in got] == [r["label"] for r in want]
    assert [r["review"] for r in got] == [r["review"] for r in want]
    assert [r.get("review_reasons") for r in got] == [r.get("review_reasons") for r in want]
    for g, w in zip(got, want, strict=True):
        assert g["scores"] == pytest.approx(w["scores"], abs=1e-6)
    rejected = sorted(
        ln.split(": rejected")[0] for ln in remote.stderr.splitlines() if "rejected:" in ln
    )
    assert rejected == sorted(
        ln.split(": rejected")[0] for ln in local.stderr.splitlines() if "rejected:" in ln
    )
    assert [r.split(f"{src}:")[1] for r in rejected] == ["2", "4", '6 (id "c")']
    assert got[1]["error"] == rows[1]["error"]  # the caller's field, passed through


def test_summarise_through_a_server_refuses_only_the_record_over_its_limit(tmp_path):
    """Leads go to the server in unary batches; one article over its --max-chars must not
    sink the batch: that record is rejected, the others get their leads."""
    from tests.servers import MAX_CHARS

    rows = [
        {"id": "a", "title": "多地高校开学迎新生", "text": "新学期开学，各地高校迎来新生。" * 9},
        {"id": "long", "text": "字" * (MAX_CHARS + 1)},
        {"id": "b", "text": "市教育局部署新学期中小学开学工作。各校做好准备。", "error": None},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    remote = _through_a_server("summarise", src)
    assert remote.returncode == EXIT_REJECTED, remote.stderr
    got = jsonl(remote.stdout)
    assert [r["id"] for r in got] == ["a", "b"] and all(r["lead"] for r in got)
    assert "error" in got[1] and got[1]["error"] is None
    assert (
        ':2 (id "long"): rejected: text has' in remote.stderr and "over the limit" in remote.stderr
    )
    assert "articles[" not in remote.stderr  # not its place in the batch the client sent


def test_summarise_through_a_server_gives_the_local_json_warnings_included(tmp_path):
    """An empty lead's warning reaches --server too: the same JSON lines, byte for byte."""
    from tests.servers import LEAD_AND_NO_LEAD, NO_LEAD_WARNING

    src = tmp_path / "in.jsonl"
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in LEAD_AND_NO_LEAD)
    src.write_text(lines, encoding="utf-8")
    remote = _through_a_server("summarise", src, "--max-chars", "10")
    local = run("summarise", str(src), "--max-chars", "10")
    assert remote.returncode == local.returncode == 0, remote.stderr + local.stderr
    assert remote.stdout == local.stdout
    short, long = jsonl(remote.stdout)
    assert short["lead"] == "全市教育会议召开。" and "warnings" not in short
    assert (long["lead"], long["lead_spans"]) == ("", [])
    assert long["warnings"] == [NO_LEAD_WARNING]


def test_a_terminal_sees_a_total_for_a_file_and_a_log_sees_no_bar(tmp_path):
    """A file's progress bar has a total (so an ETA); stderr that is no terminal gets none."""
    import fcntl
    import pty
    import struct
    import termios

    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(_record(str(i)) for i in range(7)) + b"{broken\n")
    out = tmp_path / "out.jsonl"
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 0 cols: no bar
    try:
        proc = subprocess.run(
            [*NEWSDESK, "classify", str(src), "-o", str(out)],
            stderr=follower,
            cwd=ROOT,
            timeout=300,
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                block = os.read(leader, 65536)
            except OSError:  # the terminal closed once the run ended
                break
            if not block:
                break
            seen += block
    finally:
        os.close(leader)
    assert proc.returncode == EXIT_REJECTED
    assert b"8/8" in seen, seen  # every line counted, the bad one too, against the file's total
    logged = run("classify", str(src), "-o", str(out))
    assert "\r" not in logged.stderr and "line/s" not in logged.stderr


def test_a_sigkilled_classify_leaves_no_worker_and_the_next_run_removes_its_partial(tmp_path):
    """Issue 14: SIGKILL of `classify -o` left its workers and a big `.partial` file behind."""
    import signal
    import time

    out = tmp_path / "out.jsonl"
    proc = _classify_midway(tmp_path, out)
    children = [
        int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    ]
    assert children
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_running(p) for p in children):
        time.sleep(0.05)
    assert not [p for p in children if _running(p)], "workers outlived their parent"
    left = list(tmp_path.glob(f".{out.name}.*.partial"))
    assert len(left) == 1 and left[0].stat().st_size > 0
    run = subprocess.run(
        [*NEWSDESK, "classify", "-o", str(out)],
        input=_record("b", "新学期开学。").decode(),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    assert f"removed {left[0]}" in run.stderr and "a run that died" in run.stderr
    assert not list(tmp_path.glob(".*partial")) and out.exists()


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for a reaper."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("remote", [False, True], ids=["local", "server"])
def test_classify_says_when_it_replaces_a_records_own_label(tmp_path, remote):
    """Issue 13: `classify` replaced an input record's `label` without a word. The output keeps
    the model's label (byte for byte as before); stderr says how many records had their own."""
    rows = [
        {"id": "a", "title": "本台评论：以改革激发发展活力", "text": "改革是发展的动力。" * 9,
         "label": "gold-commentary"},
        {"id": "b", "text": " "},  # rejected: not counted
        {"id": "c", "title": "多地高校开学迎新生", "text": "新学期开学，各地高校迎来新生。" * 9},
        {"id": "d", "title": "企业开工", "text": "园区企业复工复产。" * 9, "label": "industry"},
    ]  # fmt: skip
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    result = _through_a_server("classify", src) if remote else run("classify", str(src))
    assert result.returncode == EXIT_REJECTED, result.stderr
    out = jsonl(result.stdout)
    assert [r["id"] for r in out] == ["a", "c", "d"] and out[0]["label"] != "gold-commentary"
    assert "note: 2 record(s) came with a `label` of their own" in result.stderr
    bare = tmp_path / "bare.jsonl"
    bare.write_text(json.dumps(rows[2], ensure_ascii=False) + "\n", "utf-8")
    assert "of their own" not in run("classify", str(bare)).stderr
    summarised = run("summarise", str(src))  # adds no label: nothing replaced, nothing said
    assert "of their own" not in summarised.stderr


@pytest.mark.parametrize("remote", [False, True], ids=["local", "server"])
def test_classify_and_summarise_say_when_chinese_comes_as_character_references(tmp_path, remote):
    """A CMS that escapes every character outside ASCII writes 国 as `&#22269;`. Read as written
    (a span must slice the text sent), such a record came back `other`, thin_text and with no
    lead, and nothing said why; stderr now says how many records were so written, and what to do."""
    body = "国务院常务会议研究部署稳就业工作。会议指出要稳定就业，各地要落实政策。"
    escaped = "".join(f"&#{ord(c)};" if ord(c) > 127 else c for c in body)
    rows = [
        {"id": "a", "title": "稳就业", "text": f"<p>{escaped}</p>"},
        {"id": "b", "title": "稳就业", "text": body * 3},
        {"id": "c", "title": "&#x7A33;&#x5C31;&#x4E1A;", "text": body * 3},  # (hex, in a title)
        {"id": "d", "title": "A&#38;B", "text": body * 3},  # (`&`, no Chinese: nothing to say)
    ]  # fmt: skip
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    for command in ("classify", "summarise"):
        result = _through_a_server(command, src) if remote else run(command, str(src))
        assert result.returncode == 0, result.stderr
        assert [r["id"] for r in jsonl(result.stdout)] == ["a", "b", "c", "d"]
        assert "note: 2 record(s) write Chinese characters as HTML character references" in (
            result.stderr
        ), result.stderr
    plain = tmp_path / "plain.jsonl"
    plain.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[1::2]))
    assert "character references" not in run("classify", str(plain)).stderr


# VmHWM, this process's own peak: ru_maxrss carries the forking parent's (pytest's) across exec.
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc/self/status")
def test_classify_reads_long_records_in_bounded_memory(tmp_path, data_dir):
    """A block of input was 256 lines however long: 48 records of 900,000 characters of real
    news made one block, held at once with their records and answers (781 MB in the process;
    256 such records ~4 GB in each worker). A block now also closes at `workers.CHUNK_BYTES`,
    and a model call at `pipeline.BATCH_CHARS` characters: 332 MB, the same output."""
    with (data_dir / "classify" / "dev.jsonl").open(encoding="utf-8") as fh:
        news = "\n".join(json.loads(next(fh))["text"] for _ in range(200))
    text = (news * (900_000 // len(news) + 1))[:900_000]
    row = json.dumps({"title": "长文", "text": text}, ensure_ascii=False)
    src = tmp_path / "long.jsonl"
    src.write_text("".join(f'{{"id": {i}, {row[1:]}\n' for i in range(48)), "utf-8")
    script = (
        "import sys\n"
        "from service.cli import main\n"
        "try:\n    main(['classify', sys.argv[1], '-o', sys.argv[2]])\n"
        "finally:\n"
        "    hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "    print(int(hwm.split()[1]) // 1024, file=sys.stderr)\n"
    )
    out = tmp_path / "out.jsonl"
    # (48 lines are read in this one process, no workers: its peak is the script's)
    result = subprocess.run(
        [sys.executable, "-c", script, str(src), str(out)], capture_output=True, text=True,
        cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in jsonl(out.read_text("utf-8"))] == list(range(48))
    peak_mb = int(result.stderr.split()[-1])
    assert peak_mb < 520, f"peak RSS {peak_mb} MB"


def test_a_file_that_is_no_json_lines_is_refused_whole_not_reported_line_by_line(tmp_path):
    """A CSV given to classify was a rejected record a line on stderr (a million lines for a
    million-line export), exit 3. Its first 100 lines being none of them JSON, it is refused
    whole, exit 2, naming what it is, from the workers too (5,000 lines run pooled)."""
    csv = tmp_path / "export.csv"
    csv.write_text("".join(f"{i},标题{i},正文{i}\n" for i in range(5000)), encoding="utf-8")
    for command in ("classify", "summarise"):
        result = run(command, str(csv))
        assert result.returncode == 2, result.stderr
        assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr[:300]
        assert f"input {csv} is not JSON Lines: none of its first 100 lines is JSON" in (
            result.stderr
        )
    # 99 broken lines and then records: bad records, each rejected, the rest answered (exit 3)
    good = json.dumps({"id": "a", "title": "企业开工", "text": "园区企业复工复产。" * 9})
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("{broken\n" * 99 + good + "\n" + "{broken\n" * 200, encoding="utf-8")
    result = run("classify", str(mixed))
    assert result.returncode == EXIT_REJECTED, result.stderr
    assert [r["id"] for r in jsonl(result.stdout)] == ["a"]
    assert "299 record(s) rejected" in result.stderr


def _subparsers():
    import argparse

    from service.cli import build_parser

    names = ["split", "analyse", "classify", "summarise", "train", "convert-model", "evaluate"]
    names += ["evaluate-summaries", "evaluate-keywords", "serve", "batch"]
    for name in names:
        parser = build_parser(name)
        (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        yield name, sub.choices[name]


def test_help_is_even_every_option_explained_defaults_shown_no_absolute_path():
    """Issue 13: evaluate --data/--model, train --seed, split/analyse -o had no help; only
    serve showed defaults, and its model default was this machine's absolute path."""
    for name, parser in _subparsers():
        text = parser.format_help()
        assert str(ROOT) not in text and str(ROOT.parent) not in text, (name, text)
        assert "default: None" not in text, (name, text)  # an unset option says "none"
        for action in parser._actions:
            if action.dest == "help":
                continue
            assert action.help, (name, action.option_strings or action.dest)
            shown = action.default not in (None, False) and action.dest != "token"
            if shown and (action.option_strings or action.nargs in ("?", "*")):
                assert "default" in parser._get_formatter()._get_help_string(action), (
                    name,
                    action.option_strings,
                )


@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
def test_a_page_gzip_bomb_is_refused_unpacked_no_further_than_a_page(tmp_path, stdin):
    """800 KB of gzip unpacking to 768 MiB of one character, run with 768 MiB of address space:
    the page was unpacked whole (then decoded and split), and died of a MemoryError. A page is
    refused past MAX_PAGE_CHARS, as a server's AnalysePage; a page at it is read."""
    import gzip

    from service.validation import MAX_PAGE_CHARS

    bomb = tmp_path / "bomb.txt"
    with gzip.open(bomb, "wb") as f:
        block = ("字" * (1 << 18)).encode()
        for _ in range(1024):
            f.write(block)

    # The 768 MiB cap is the shell's (ulimit), not a preexec_fn's: see test_cli_records' bomb.
    with bomb.open("rb") as packed:
        result = subprocess.run(
            ["sh", "-c", 'ulimit -v 786432; exec "$0" "$@"', *NEWSDESK, "split",
             "-" if stdin else str(bomb)],
            stdin=packed if stdin else None,
            capture_output=True, text=True, cwd=ROOT, timeout=300,
        )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"has more than {MAX_PAGE_CHARS} characters" in result.stderr
    for n, code in ((MAX_PAGE_CHARS, 0), (MAX_PAGE_CHARS + 1, 2)):
        page = tmp_path / "page.txt"
        page.write_text("本报讯 " + "a" * (n - 4), encoding="utf-8")
        assert run("split", str(page)).returncode == code, n


def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path):
    # `newsdesk classify big.jsonl | head -1`: the pipe closes under the run; README and --help
    # say it ends with 0 and no traceback, the line read whole.
    src = tmp_path / "many.jsonl"
    text = "国务院常务会议研究部署稳就业工作，会议指出要稳住市场主体。"
    line = json.dumps({"id": "x", "text": text})
    src.write_text((line + "\n") * 3000, encoding="utf-8")
    proc = subprocess.Popen(
        [*NEWSDESK, "classify", str(src), "--model", str(MODEL)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, as head does after its line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0, err
    assert json.loads(first)["id"] == "x"
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_max_chars_help_says_a_hard_cap_may_leave_the_lead_empty() -> None:
    """`--max-chars 40` leaves a lead empty where no whole sentence fits (its warnings say why,
    as docs/summaries.md does): --help said only "a value given is hard"."""
    for command in ("summarise", "analyse"):
        shown = " ".join(run(command, "--help").stdout.split())
        assert "where no whole sentence fits, the lead is empty (warnings)" in shown, command
