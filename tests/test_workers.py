"""Worker processes for JSONL runs: the same lines in the same order as one process gives."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from service.classifier import DEFAULT_MODEL, MANIFEST_FILE, Classifier
from service.workers import (
    CHUNK_LINES,
    PARALLEL_AFTER,
    WORKER_GC_THRESHOLD,
    Options,
    collect_less,
    process_lines,
    run_chunk,
)


def _lines(data_dir: Path, n: int) -> list[bytes]:
    """`n` raw JSONL lines: short real articles, with a bad line and a record without text."""
    rows = []
    with (data_dir / "classify" / "dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows.append(json.dumps({"id": r["id"], "title": r["title"], "text": r["text"][:120]}))
    out = [rows[i % len(rows)] for i in range(n)]
    out[3] = "{not json"
    if n > CHUNK_LINES + 5:
        out[CHUNK_LINES + 5] = json.dumps({"id": "empty", "text": " "})
    out[-2] = ""  # blank lines are skipped, and still counted
    return [f"{line}\n".encode() for line in out]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    if not (DEFAULT_MODEL / MANIFEST_FILE).exists():
        pytest.skip("no shipped model (make train)")
    return Classifier.load(DEFAULT_MODEL)


def _flatten(chunks) -> tuple[list[str], list[tuple[int, str]]]:
    lines, rejected = [], []
    for c in chunks:
        lines.extend(c.lines)
        rejected.extend((r.line, r.reason) for r in c.rejected)
    return lines, rejected


@pytest.mark.parametrize("threads", [False, True], ids=["fork", "spawn"])
def test_workers_give_what_one_process_gives(
    data_dir: Path, classifier: Classifier, threads: bool
) -> None:
    lines = _lines(data_dir, PARALLEL_AFTER + CHUNK_LINES + 7)
    serial = _flatten(process_lines(lines, classifier, processes=1))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)  # a second thread forbids fork
    if threads:
        other.start()
    try:
        pooled = _flatten(process_lines(lines, classifier, processes=2))
    finally:
        stop.set()
    assert pooled == serial
    out, rejected = serial
    assert [n for n, _ in rejected] == [4, CHUNK_LINES + 6]
    assert len(out) == len(lines) - 3
    first = json.loads(out[0])
    assert first["label"] in classifier.labels and set(first["scores"]) == set(classifier.labels)


def test_small_input_stays_in_process(
    data_dir: Path, classifier: Classifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.workers

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool for a small input")

    monkeypatch.setattr(service.workers, "_pooled", no_pool)
    lines = _lines(data_dir, PARALLEL_AFTER)
    out, _ = _flatten(process_lines(lines, classifier, processes=2))
    assert len(out) == PARALLEL_AFTER - 3


def test_chunk_numbers_lines_from_its_start(data_dir: Path, classifier: Classifier) -> None:
    lines = _lines(data_dir, 10)
    chunk = run_chunk(b"".join(lines), 1001, classifier, Options(labels=False, source="in.jsonl"))
    assert [(r.line, r.source) for r in chunk.rejected] == [(1004, "in.jsonl")]
    assert all("label" not in json.loads(s) for s in chunk.lines)


def test_one_process_answers_a_stream_as_it_arrives(data_dir: Path, classifier: Classifier) -> None:
    lines = _lines(data_dir, PARALLEL_AFTER + CHUNK_LINES)
    read = 0

    def stream():
        nonlocal read
        for line in lines:
            read += 1
            yield line

    first = next(process_lines(stream(), classifier, processes=1))
    assert read <= CHUNK_LINES + 1  # the first chunk, not the whole head
    assert len(first.lines) + len(first.rejected) == CHUNK_LINES


_FAULTS_PER_CHUNK = """
import resource, sys
from service.classifier import Classifier
from service.workers import Options, reuse_freed_memory, run_chunk
assert reuse_freed_memory()
classifier = Classifier.load()
with open(sys.argv[1], "rb") as f:
    lines = [next(f) for _ in range(256)]
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
run_chunk(b"".join(lines[:128]), 1, classifier, Options())  # first touch: the heap grows
before = faults()
for _ in range(6):
    run_chunk(b"".join(lines[128:]), 129, classifier, Options())
print((faults() - before) / 6)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="tunes glibc's malloc")
def test_workers_reuse_their_memory_chunk_after_chunk(data_dir: Path, classifier: Classifier):
    # Without reuse_freed_memory these 128 articles fault ~1,400 fresh pages every time (~200 with).
    train = data_dir / "classify" / "train.jsonl"
    out = subprocess.run(
        [sys.executable, "-c", _FAULTS_PER_CHUNK, str(train)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 500


def test_line_endings_and_bad_bytes_number_lines_as_the_text_reader_does(
    classifier: Classifier,
) -> None:
    # Workers get raw bytes; "\r\n", a lone "\r" and invalid UTF-8 must come out as
    # jsonl.open_input reads them, so line numbers in reports agree however the input is run.
    import io

    from service.jsonl import count_lines, decode_lines

    ok = json.dumps({"id": "a", "text": "贵阳市召开会议。"}, ensure_ascii=False).encode()
    raw = ok + b"\r\n" + b"{bad\r" + ok + b"\n\xff{}\n" + ok
    reader = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")
    text = [s.rstrip("\n") for s in reader]
    assert decode_lines(raw) == text and count_lines(raw) == len(text) == 5
    chunk = run_chunk(raw, 1, classifier, Options())
    assert [r.line for r in chunk.rejected] == [2, 4]
    assert chunk.count == 3 and len(chunk.lines) == 3
    assert chunk.data.endswith(b"\n") and all(json.loads(s)["id"] == "a" for s in chunk.lines)


def test_a_worker_collects_less_often_and_keeps_the_older_thresholds() -> None:
    import gc

    before = gc.get_threshold()
    try:
        collect_less()
        assert gc.get_threshold() == (WORKER_GC_THRESHOLD, *before[1:])
    finally:
        gc.set_threshold(*before)
