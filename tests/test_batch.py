"""service.batch: shards in, labelled shards out, identical on 1 or 2 processes and on Dask."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.batch import ShardJob, expand_inputs, process_shard, run_batch, shard_name
from service.batch import pages as batch_pages
from service.batch import runners as batch_runners
from service.batch import shards as batch_shards
from service.errors import InvalidInput, ModelError, ShardError
from tests.conftest import ROOT

pytestmark = pytest.mark.corpus

BAD_LINES = [
    ("not json at all", "not valid JSON"),
    ("[1, 2, 3]", "expected a JSON object"),
    ('{"id": "no-text", "title": "无正文"}', "'text'"),
    ('{"id": "empty", "text": "   "}', "'text'"),
    ('{"id": "number", "text": 42}', "'text'"),
]


@pytest.fixture(scope="session")
def model(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real model trained on the corpus: seconds, not minutes."""
    train = pytest.importorskip("training.train")
    out = tmp_path_factory.mktemp("model") / "desk"
    train.train(data_dir, out, limit=60, progress=False)
    return out


@pytest.fixture(scope="session")
def records(data_dir: Path) -> list[dict]:
    lines = (data_dir / "classify" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    # every 9th record: all four desks, short and long texts
    return [{k: r[k] for k in ("id", "title", "text")} for r in map(json.loads, lines[::9][:75])]


@pytest.fixture()
def shards(records: list[dict], tmp_path: Path) -> list[Path]:
    """Three shards: plain, gzip, and one with malformed lines among good ones."""
    folder = tmp_path / "in"
    folder.mkdir()
    dump = [json.dumps(r, ensure_ascii=False) for r in records]
    a = folder / "a.jsonl"
    a.write_text("\n".join(dump[:30]) + "\n", encoding="utf-8")
    b = folder / "b.jsonl.gz"
    with gzip.open(b, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(dump[30:55]) + "\n")
    c = folder / "c.jsonl"
    mixed = []
    for i, line in enumerate(dump[55:]):
        mixed.append(line)
        if i < len(BAD_LINES):
            mixed.append(BAD_LINES[i][0])
    mixed.insert(3, "")  # a blank line is neither a record nor an error
    c.write_text("\n".join(mixed) + "\n", encoding="utf-8")
    return [a, b, c]


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.jsonl"))}


def _run(shards, out, model, **kw):
    return run_batch([str(p) for p in shards], out, model=model, progress=False, **kw)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("x/2024-01.jsonl", "2024-01"),
        ("x/part-7.jsonl.gz", "part-7"),
        ("x/feed.ndjson", "feed"),
        ("x/raw.txt", "raw.txt"),
        ("x/.jsonl", ".jsonl"),
    ],
)
def test_shard_name(path: str, name: str) -> None:
    assert shard_name(path) == name


def test_expand_inputs_globs_folders_and_collisions(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.jsonl.gz", "notes.txt"):
        (tmp_path / name).write_text("{}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jsonl").write_text("{}\n")
    assert [p.name for p in expand_inputs([str(tmp_path / "*.jsonl*")])] == [
        "a.jsonl.gz",
        "b.jsonl",
    ]
    # a folder means its JSONL files; overlapping inputs count once
    found = expand_inputs([str(tmp_path), str(tmp_path / "b.jsonl")])
    assert [p.name for p in found] == ["a.jsonl.gz", "b.jsonl"]
    with pytest.raises(InvalidInput, match="both be written as a.jsonl"):
        expand_inputs([str(tmp_path / "a.jsonl.gz"), str(tmp_path / "sub" / "a.jsonl")])
    with pytest.raises(InvalidInput, match="does not exist"):
        expand_inputs([str(tmp_path / "missing.jsonl")])
    os.mkfifo(tmp_path / "feed.jsonl")  # it exists: it was said not to
    for feed in (str(tmp_path / "feed.jsonl"), "-"):  # "-": stdin, not a missing file either
        with pytest.raises(InvalidInput, match="not a regular file .* pipe it to `newsdesk class"):
            expand_inputs([feed])
    with pytest.raises(InvalidInput, match="no file matches"):
        expand_inputs([str(tmp_path / "*.parquet")])
    (tmp_path / "_summary.jsonl").write_text("{}\n")
    with pytest.raises(InvalidInput, match="reserves"):
        expand_inputs([str(tmp_path / "_summary.jsonl")])


def test_folders_take_only_jsonl_and_names_are_taken_as_given(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.jsonl", "b.ndjson.gz", "config.json", "notes.txt.gz", "news[2024].jsonl"):
        (folder / name).write_text("{}\n")
    assert [p.name for p in expand_inputs([str(folder)])] == [
        "a.jsonl",
        "b.ndjson.gz",
        "news[2024].jsonl",
    ]
    # a real file name with glob characters is that file, not a pattern
    assert [p.name for p in expand_inputs([str(folder / "news[2024].jsonl")])] == [
        "news[2024].jsonl"
    ]
    link = tmp_path / "today.jsonl"
    link.symlink_to(folder / "a.jsonl")
    (found,) = expand_inputs([str(link)])
    assert shard_name(found) == "today"  # the link's own name, not its target's
    (folder / ".a.jsonl.swp.jsonl").write_text("{}\n")  # an editor's: not an input
    assert ".a.jsonl.swp.jsonl" not in [p.name for p in expand_inputs([str(folder)])]


def test_lone_carriage_returns_end_lines_in_batch_as_in_classify(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    lines = [json.dumps(r, ensure_ascii=False) for r in records[:6]]
    shard = folder / "cr.jsonl"
    shard.write_bytes(("\r".join(lines[:3]) + "\r\n" + "\n".join(lines[3:]) + "\n").encode())
    summary = _run([shard], tmp_path / "out", model, workers=1)
    assert (summary["records_out"], summary["rejected"]) == (6, 0)
    cli = subprocess.run(
        [sys.executable, "-m", "service.cli", "classify", str(shard), "--model", str(model)],
        capture_output=True,
        text=True,
    )
    assert len(cli.stdout.splitlines()) == 6


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"workers": 0}, "workers"),
        ({"workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "workers"),
        ({"gather": True}, "gather"),
        ({"max_chars": -1}, "max_chars"),
        ({"max_sentences": 51}, "max_sentences"),
        # the dashboard's URL reached Dask's Client: a traceback, then 20 s hung closing it
        ({"scheduler": "http://127.0.0.1:8787/status"}, "scheduler"),
        ({"scheduler": "http://127.0.0.1:8786"}, "scheduler"),
    ],
)
def test_bad_options_are_rejected_before_any_work(tmp_path: Path, kw: dict, field: str) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n')
    with pytest.raises(InvalidInput) as e:
        run_batch([tmp_path / "a.jsonl"], tmp_path / "out", model=tmp_path, **kw)
    assert e.value.field == field
    assert not (tmp_path / "out").exists()


def test_every_form_of_a_dask_scheduler_address_passes_the_check() -> None:
    from service.batch import _SCHEDULER

    for address in ("tcp://10.0.0.5:8786", "10.0.0.5:8786", "dask-scheduler:8786",
                    "tls://scheduler.example.org:8786", "tcp://[::1]:8786",
                    "inproc://192.0.2.2/26955/1"):  # fmt: skip
        assert _SCHEDULER.fullmatch(address), address
    for address in ("http://127.0.0.1:8787/status", "tcp://", "", "host 8786"):
        assert not _SCHEDULER.fullmatch(address), address


def test_an_output_folder_that_holds_the_inputs_or_is_a_file_is_refused(tmp_path: Path) -> None:
    shard = tmp_path / "a.jsonl"
    shard.write_text('{"text": "x"}\n')
    before = shard.read_bytes()
    with pytest.raises(InvalidInput, match="holds the input") as e:
        run_batch([shard], tmp_path, model=tmp_path)
    assert e.value.field == "out_dir" and shard.read_bytes() == before
    with pytest.raises(InvalidInput, match="is a file"):
        run_batch([shard], shard, model=tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "news.jsonl").symlink_to(shard)  # an input reached through a link inside --out
    with pytest.raises(InvalidInput, match="holds the input"):
        run_batch([out / "news.jsonl"], out, model=tmp_path)
    with pytest.raises(InvalidInput, match="holds the input"):  # and through out/../out
        run_batch([out / ".." / "out" / "news.jsonl"], out, model=tmp_path)
    assert shard.read_bytes() == before


def test_an_output_folder_it_cannot_write_in_is_named(
    shards: list[Path], model: Path, tmp_path: Path
) -> None:
    # It said only "[Errno 21] Is a directory: '…/_batch.lock'" (or Errno 13 without write
    # permission, which root's test runs cannot take away: a folder in the lock's way stands in).
    out = tmp_path / "out"
    (out / "_batch.lock").mkdir(parents=True)
    with pytest.raises(ShardError, match=f"cannot write in --out {out}") as e:
        run_batch(shards, out, model=model)
    assert e.value.field == "out_dir"


def test_an_output_folder_it_cannot_create_is_named(tmp_path: Path) -> None:
    # It said only "newsdesk batch: [Errno 20] Not a directory: '…/out'", naming no flag (a
    # file on the path; no permission or a full disk the same way).
    shard = tmp_path / "a.jsonl"
    shard.write_text('{"text": "x"}\n')
    model = tmp_path / "model"  # (a manifest is all that is read before --out is made)
    model.mkdir()
    (model / "manifest.json").write_text("{}")
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "out"
    with pytest.raises(ShardError, match=f"cannot create --out {out}: Not a directory") as e:
        run_batch([shard], out, model=model)
    assert e.value.field == "out_dir"


def test_missing_model_says_how_to_fix(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n')
    with pytest.raises(ModelError, match="make train"):
        run_batch([tmp_path / "a.jsonl"], tmp_path / "out", model=tmp_path / "none")


def test_local_run_labels_every_record_in_order(
    shards: list[Path], records: list[dict], model: Path, tmp_path: Path
) -> None:
    from service.classifier import Classifier

    labels = set(Classifier.load(model).labels)
    out = tmp_path / "out"
    summary = _run(shards, out, model, workers=1)

    got = []
    for name in ("a", "b", "c"):
        got += [json.loads(line) for line in (out / f"{name}.jsonl").read_text().splitlines()]
    assert [r["id"] for r in got] == [r["id"] for r in records]
    for record, result in zip(records, got, strict=True):
        assert {k: result[k] for k in ("id", "title", "text")} == record
        assert result["label"] in labels
        assert set(result["scores"]) == labels
        assert max(result["scores"], key=result["scores"].get) == result["label"]
        assert sum(result["scores"].values()) == pytest.approx(1.0, abs=1e-4)
        assert result["lead"] and result["lead_spans"]
        for start, end in result["lead_spans"]:
            assert record["text"][start:end] in result["lead"]

    errors = [json.loads(line) for line in (out / "_errors.jsonl").read_text().splitlines()]
    # one row shape with `classify --errors`: the input as read, the line, the id, the reason
    assert [set(e) for e in errors] == [{"source", "line", "id", "reason"}] * len(BAD_LINES)
    assert [e["id"] for e in errors] == [None, None, "no-text", "empty", "number"]
    assert [Path(e["source"]).stem for e in errors] == ["c"] * len(BAD_LINES)
    # bad lines sit after good ones 1..5, shifted by the blank line inserted at index 3
    assert [e["line"] for e in errors] == [2, 5, 7, 9, 11]
    for error, (_, reason) in zip(errors, BAD_LINES, strict=True):
        assert reason in error["reason"]

    saved = json.loads((out / "_summary.json").read_text())
    assert saved == summary
    assert summary["records_in"] == len(records) + len(BAD_LINES)
    assert summary["records_out"] == len(records)
    assert summary["rejected"] == len(BAD_LINES)
    assert sum(summary["labels"].values()) == len(records)
    assert summary["shards_run"] == 3 and summary["articles_per_s"] > 0
    # docs/batch.md names every key a reader of _summary.json meets (it named about half)
    row = next(
        line
        for line in (ROOT / "docs" / "batch.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `DIR/_summary.json`")
    )
    assert [key for key in summary if f"`{key}`" not in row] == []


@pytest.mark.parametrize("busy", [False, True], ids=["fork", "spawn"])
def test_two_local_processes_give_identical_files(
    shards: list[Path], model: Path, tmp_path: Path, busy: bool
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    _run(shards, one, model, workers=1)
    # With another thread alive, batch must not fork (a copied lock could be held): it spawns.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    if busy:
        other.start()
    try:
        summary = _run(shards, two, model, workers=2)
    finally:
        stop.set()
        if busy:
            other.join()
    assert summary["runner"] == "local:2"
    assert _outputs(one) == _outputs(two)
    assert (one / "_errors.jsonl").read_bytes() == (two / "_errors.jsonl").read_bytes()


@contextlib.contextmanager
def _dask(n_workers: int) -> Iterator[tuple[Any, Any]]:
    """A real local Dask cluster of process workers (one thread each) and a client of it."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        yield cluster, client


def _run_behind(result: dict, *args: Any, **kwargs: Any) -> threading.Thread:
    """`_run` on a thread of its own (started), its summary put into `result`."""
    runner = threading.Thread(target=lambda: result.update(_run(*args, **kwargs)))
    runner.start()
    return runner


@pytest.mark.slow
def test_dask_cluster_gives_identical_files(
    shards: list[Path], model: Path, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    local = tmp_path / "local"
    _run(shards, local, model, workers=1, summary=False)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        shared = _run(
            shards, tmp_path / "dask", model, scheduler=cluster.scheduler_address, summary=False
        )
        gathered = _run(
            shards,
            tmp_path / "gather",
            model,
            scheduler=cluster.scheduler_address,
            gather=True,
            summary=False,
        )
    assert shared["runner"] == gathered["runner"] == cluster.scheduler_address
    for out in (tmp_path / "dask", tmp_path / "gather"):
        assert _outputs(out) == _outputs(local)
        assert (out / "_errors.jsonl").read_bytes() == (local / "_errors.jsonl").read_bytes()
    # checked record by record, not only as bytes: no lead fields when summaries are off
    for name, data in _outputs(local).items():
        for line in data.decode().splitlines():
            assert "lead" not in json.loads(line), name


def test_rerun_skips_complete_shards_and_ignores_leftovers(
    shards: list[Path], model: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = _run(shards, out, model, workers=1)
    before = _outputs(out)
    # an interrupted run: one shard's output gone, a half-written temp file left behind
    (out / "b.jsonl").unlink()
    leftover = out / ".b.jsonl.tmp-999-deadbeef"
    leftover.write_text('{"id": "half')
    second = _run(shards, out, model, workers=1)
    assert second["shards_skipped"] == 2 and second["shards_run"] == 1
    assert second["processed"] == 25
    assert not leftover.exists()
    assert _outputs(out) == before
    for key in ("records_in", "records_out", "rejected", "labels"):
        assert second[key] == first[key]
    # a changed input, or other options, makes a shard stale
    os.utime(shards[0], ns=(1, 1))
    third = _run(shards, out, model, workers=1)
    assert third["shards_run"] == 1
    fourth = _run(shards, out, model, workers=1, max_sentences=1)
    assert fourth["shards_run"] == 3
    forced = _run(shards, out, model, workers=1, max_sentences=1, force=True)
    assert forced["shards_run"] == 3 and forced["shards_skipped"] == 0


def test_an_input_appended_to_while_its_shard_runs_is_redone_by_the_next_run(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    """A shard's input was stat-ed for its state once the shard was done: a record appended
    after the reader's end (a feed still being written) was taken as read, and a rerun
    skipped the shard, that record never labelled."""
    feed = tmp_path / "in" / "feed.jsonl"
    feed.parent.mkdir()
    dump = [json.dumps(r, ensure_ascii=False) for r in records[:11]]
    feed.write_text("\n".join(dump[:10]) + "\n", encoding="utf-8")
    appended = []

    def append_once(progress) -> None:  # called once the shard's 10 lines are read
        if not appended:
            with feed.open("a", encoding="utf-8") as fh:
                fh.write(dump[10] + "\n")
            appended.append(progress)

    out = tmp_path / "out"
    first = run_batch([str(feed)], out, model=model, workers=1, progress=append_once)
    assert appended and first["records_out"] == 10
    second = _run([feed], out, model, workers=1)
    assert second["shards_run"] == 1 and second["records_out"] == 11
    lines = (out / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in records[:11]]
    assert _run([feed], out, model, workers=1)["shards_skipped"] == 1  # done now


def test_a_chunk_of_records_closes_at_its_character_budget() -> None:
    # 256 records near the million-character limit were one chunk: ~5 GB a worker.
    from service.pipeline import Record, batches

    sizes = [40, 40, 30, 100, 150, 10, 10]
    records = [Record({"text": "字" * n}, None) for n in sizes]
    runs = [[len(r.data["text"]) for r in run] for run in batches(records, 256, 100)]
    assert runs == [[40, 40, 30], [100], [150], [10, 10]]
    assert [len(run) for run in batches(records, 3, 1000)] == [3, 3, 1]
    assert [len(run) for run in batches(records, 256)] == [7]  # (no budget: as it was)


# VmHWM, this process's own peak: ru_maxrss carries the forking parent's (pytest's) across exec.
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc/self/status")
def test_a_shard_of_records_near_the_size_limit_is_read_in_bounded_memory(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    """48 records of 900,000 characters made one chunk (CHUNK = 256): the worker peaked near
    1 GB (5 GB for a shard of 256 or more), where a chunk now closes at CHUNK_CHARS."""
    import subprocess
    import sys

    long_text = "\n".join(r["text"] for r in records)
    long_text = (long_text * (900_000 // len(long_text) + 1))[:900_000]
    shard = tmp_path / "in" / "long.jsonl"
    shard.parent.mkdir()
    with shard.open("w", encoding="utf-8") as fh:
        for i in range(48):
            fh.write(json.dumps({"id": i, "title": "长文", "text": long_text}) + "\n")
    script = (
        "import sys\n"
        "from service.batch import run_batch\n"
        "s = run_batch([sys.argv[1]], sys.argv[2], model=sys.argv[3], workers=1)\n"
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(s['records_out'], int(hwm.split()[1]) // 1024)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(shard), str(tmp_path / "out"), str(model)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    written, peak_mb = map(int, run.stdout.split())
    assert written == 48
    assert peak_mb < 500, f"peak RSS {peak_mb} MB"


def test_interrupted_shard_leaves_nothing_behind(
    shards: list[Path], model: Path, tmp_path: Path
) -> None:
    from service.batch import model_key

    out = tmp_path / "out"
    options = (("summarise", True), ("max_sentences", 0), ("max_chars", 0))
    job = ShardJob("a", str(shards[0]), str(model), model_key(model), options, out_dir=str(out))

    def interrupt(n: int, fraction: float) -> None:
        raise KeyboardInterrupt  # as Ctrl-C would, in the middle of the shard

    monkey = pytest.MonkeyPatch()
    monkey.setattr(batch_shards, "CHUNK", 8)  # several chunks, so the interrupt lands mid-shard
    try:
        with pytest.raises(KeyboardInterrupt):
            process_shard(job, progress=interrupt)
    finally:
        monkey.undo()
    assert list(out.iterdir()) == []


def test_cli_batch_exit_code_and_summary(
    shards: list[Path], model: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from service.cli import main

    out = tmp_path / "out"
    args = ["batch", *map(str, shards), "--out", str(out), "--model", str(model), "--quiet"]
    code = main([*args, "--workers", "1", "--no-summary"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 3  # some records were rejected; the rest was processed
    assert summary["rejected"] == len(BAD_LINES) and summary["summary"] is False
    code = main([*args[:2], "--out", str(out), "--model", str(model), "--quiet"])
    assert code == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["records_in"] == 30
    # the first run's b and c are still there, though this job's only input is a
    assert summary["stale_outputs"] == ["b.jsonl", "c.jsonl"] and "b.jsonl" in captured.err


@pytest.mark.parametrize("workers", [1, 2])
def test_a_damaged_gzip_shard_fails_alone_and_a_rerun_retries_only_it(
    shards: list[Path], model: Path, tmp_path: Path, capsys: pytest.CaptureFixture, workers: int
) -> None:
    from service.cli import main

    good, packed = shards[0], shards[1]
    whole = packed.read_bytes()
    packed.write_bytes(whole[: len(whole) // 2])  # cut off mid-stream, as a failed copy would
    out = tmp_path / "out"
    args = ["batch", str(good), str(packed), "--out", str(out), "--model", str(model)]
    (out).mkdir()
    (out / "b.jsonl").write_text("an output of an older run\n", encoding="utf-8")
    code = main([*args, "--quiet", "--no-summary", "--workers", str(workers)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [f["shard"] for f in summary["shards_failed"]] == ["b"]
    assert "gzip" in summary["shards_failed"][0]["reason"]
    assert summary["shards_failed"][0]["reason"].startswith(f"{packed} unreadable after")
    shard_files = lambda: {n for n in _outputs(out) if not n.startswith("_")}  # noqa: E731
    assert shard_files() == {"a.jsonl"}  # the good shard is written; no stale b
    assert summary["records_out"] == 30

    packed.write_bytes(whole)  # the input is fixed: only that shard runs again
    code = main([*args, "--quiet", "--no-summary", "--workers", str(workers)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["shards_failed"] == []
    assert (summary["shards_run"], summary["shards_skipped"]) == (1, 1)
    assert shard_files() == {"a.jsonl", "b.jsonl"}


def test_a_shard_that_is_no_json_lines_fails_alone_named_not_a_million_rejects(
    shards: list[Path], model: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A CSV among the shards was read as one rejected record a line, each held and written
    (a million-line CSV: ~800 MB and a 117 MB _errors.jsonl); its first 100 lines being none
    of them JSON, it now fails alone, saying what it is, and the others are written."""
    from service.cli import main

    csv = tmp_path / "csv" / "export.jsonl"
    csv.parent.mkdir()
    csv.write_text("".join(f"{i},标题{i},正文{i}\n" for i in range(5000)), encoding="utf-8")
    out = tmp_path / "out"
    args = [str(shards[0]), str(csv), "--out", str(out), "--model", str(model), "--quiet"]
    code = main(["batch", *args, "--no-summary", "--workers", "1"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1
    [failed] = summary["shards_failed"]
    assert failed["shard"] == "export" and "is not JSON Lines" in failed["reason"]
    assert str(csv) in failed["reason"]
    assert summary["rejected"] == 0 and summary["records_out"] == 30  # (the good shard)


def test_a_failed_shard_does_not_hide_the_records_rejected_from_stderr(
    shards: list[Path], model: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A job with a failed shard said only that on stderr, not that other shards' records were
    rejected: a log read as "the others are written" hid the rejects (exit 1 says the worse)."""
    from service.cli import main

    packed, mixed = shards[1], shards[2]
    whole = packed.read_bytes()
    packed.write_bytes(whole[: len(whole) // 2])
    out = tmp_path / "out"
    args = [str(packed), str(mixed), "--out", str(out), "--model", str(model), "--quiet"]
    code = main(["batch", *args, "--no-summary", "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 1 and json.loads(captured.out)["rejected"] == len(BAD_LINES)
    assert f"{len(BAD_LINES)} record(s) rejected; see {out / '_errors.jsonl'}" in captured.err
    assert captured.err.rstrip().endswith("finished shards are skipped")  # the failure, last


def _utf16(data: bytes) -> bytes:
    return data.decode("utf-8").encode("utf-16")


def _xz(data: bytes) -> bytes:
    import lzma

    return lzma.compress(data)


@pytest.mark.parametrize(
    ("name", "made", "shard", "needles"),
    [
        # Read by lines, UTF-16 bytes made a rejected line of every record and lines past the
        # file's end (7 rejects for 5 records, exit 3); every other command refuses such a file.
        ("wide.jsonl", _utf16, "wide", ("UTF-16", "iconv -f UTF-16 -t UTF-8")),
        # Read as text, an xz shard made a "not UTF-8" rejection of every line it made up (exit
        # 3) and an empty output that resume then skipped.
        ("packed.jsonl.xz", _xz, "packed.jsonl.xz", ("is xz-compressed", "xz -dc IN > OUT")),
    ],
)
def test_a_shard_no_line_of_which_can_be_read_fails_alone_saying_how_to_convert_it(
    shards: list[Path],
    model: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    name: str,
    made,
    shard: str,
    needles: tuple[str, str],
) -> None:
    from service.cli import main

    good, bad = shards[0], tmp_path / name
    bad.write_bytes(made(good.read_bytes()))
    out = tmp_path / "out"
    args = ["batch", str(good), str(bad), "--out", str(out), "--model", str(model), "--quiet"]
    code = main([*args, "--no-summary"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["rejected"] == 0
    [failed] = summary["shards_failed"]
    assert failed["shard"] == shard and all(n in failed["reason"] for n in needles)
    assert {n for n in _outputs(out) if not n.startswith("_")} == {"a.jsonl"}


@pytest.mark.slow
def test_dask_worker_killed_mid_job_costs_only_its_shard(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    import signal
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(6):  # shards long enough that a kill lands while some are running
        lines = [json.dumps({**r, "id": f"{k}-{i}-{r['id']}"}, ensure_ascii=False)
                 for i in range(16) for r in records]  # fmt: skip
        (folder / f"s{k}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shards = sorted(folder.iterdir())
    local = tmp_path / "local"
    _run(shards, local, model, workers=2)

    out = tmp_path / "dask"
    with _dask(2) as (cluster, client):
        pids = client.run(os.getpid)
        result: dict = {}
        runner = _run_behind(result, shards, out, model, scheduler=cluster.scheduler_address)
        deadline = time.monotonic() + 120
        while not list((out / "_shards").glob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.01)
        victim = next(iter(pids.values()))
        os.kill(victim, signal.SIGKILL)  # its nanny starts a new one
        finished = len(list((out / "_shards").glob("*.json")))
        assert finished < 6, "the job ended before the kill: make the shards longer"
        runner.join(180)
        assert result, "the job did not finish after a worker died"
        assert victim not in client.run(os.getpid).values()
    assert result["shards_run"] == 6 and result["records_out"] == 6 * 16 * len(records)
    assert _outputs(out) == _outputs(local)
    assert not [p for p in out.rglob(".*") if p.is_file()]  # no temp file left behind


@pytest.mark.slow
def test_a_shard_that_kills_its_dask_workers_fails_alone(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    """Past the scheduler's allowed-failures the shard's KilledWorker ended the whole job with
    a traceback (the shards in flight abandoned); now it fails alone, as a local one does."""
    import signal
    import time

    import dask

    shards = _big_shards(records, tmp_path / "in", n=3, copies=30)
    out = tmp_path / "out"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        _dask(1) as (cluster, client),
    ):
        victim = next(iter(client.run(os.getpid).values()))
        result: dict = {}
        runner = _run_behind(
            result, shards, out, model, scheduler=cluster.scheduler_address, summary=False
        )
        deadline = time.monotonic() + 120
        while not list(out.glob(".*.partial")) and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(victim, signal.SIGKILL)  # the shard it was writing may not run again
        runner.join(180)
    assert result, "the job raised instead of failing the shard"
    failed = result["shards_failed"]
    assert failed and all("Dask worker that ran this shard died" in f["reason"] for f in failed)
    assert len(failed) + len(list(out.glob("p-*.jsonl"))) == 3 == result["shards_run"]
    assert not [p for p in out.rglob(".*") if p.is_file()]


@pytest.mark.slow
def test_a_dask_job_reports_progress_each_second_before_any_shard_is_done(
    shards: list[Path], model: Path, tmp_path: Path
) -> None:
    """On Dask nothing streams per chunk: the progress line stayed silent until a shard was
    whole, and on a cluster with no worker for ever (docs/batch.md: a line a second). Now the
    job wakes each second; here no worker exists until two reports have come."""
    import time

    reports: list = []
    with _dask(0) as (cluster, _client):
        result: dict = {}
        runner = threading.Thread(
            target=lambda: result.update(
                run_batch([str(p) for p in shards], tmp_path / "out", model=model,
                          scheduler=cluster.scheduler_address, progress=reports.append)
            )
        )  # fmt: skip
        runner.start()
        deadline = time.monotonic() + 60
        while len(reports) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        waiting = list(reports)
        cluster.scale(1)
        runner.join(120)
    assert len(waiting) >= 2 and all(r.shards_done == 0 for r in waiting), waiting
    assert waiting[-1].elapsed > waiting[0].elapsed
    assert result["shards_run"] == len(shards) and reports[-1].shards_done == len(shards)


def test_unreachable_scheduler_is_a_clear_error(
    shards: list[Path], model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.errors import NewsdeskError

    monkeypatch.setattr(batch_runners, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(NewsdeskError, match="no Dask scheduler answers") as e:
        _run(shards, tmp_path / "out", model, scheduler="tcp://127.0.0.1:1")
    assert e.value.field == "scheduler"
    assert not list((tmp_path / "out").glob("*.jsonl"))


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _big_shards(records: list[dict], folder: Path, n: int = 4, copies: int = 40) -> list[Path]:
    folder.mkdir()
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records) * copies
    paths = []
    for i in range(n):
        paths.append(folder / f"p-{i}.jsonl")
        paths[-1].write_text(lines, encoding="utf-8")
    return paths


def _batch_midway(shards: list[Path], out: Path, model: Path, *extra: str):
    """`newsdesk batch` on 2 worker processes, once they are writing their shards."""
    import subprocess
    import sys
    import time

    cmd = [sys.executable, "-m", "service.cli", "batch", *map(str, shards), "--out", str(out),
           "--model", str(model), "--workers", "2", "--quiet", *extra]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob(".*")):
        time.sleep(0.02)
    return proc


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_sigterm_stops_the_job_its_workers_and_leaves_no_temporary_files(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    import signal
    import time

    out = tmp_path / "out"
    proc = _batch_midway(_big_shards(records, tmp_path / "in"), out, model)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    time.sleep(0.2)
    assert not [p for p in workers if Path(f"/proc/{p}").exists()], "workers outlived the job"
    assert not list(out.glob(".*")) and not list((out / "_shards").glob(".*"))
    # it said `"failed": "_Terminated: "`, a private class name and nothing else
    summary = json.loads((out / "_summary.json").read_text(encoding="utf-8"))
    assert summary["failed"] == "stopped by SIGTERM"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_worker_killed_mid_job_fails_its_shards_and_the_summary_says_so(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    import signal

    out = tmp_path / "out"
    proc = _batch_midway(_big_shards(records, tmp_path / "in", n=6), out, model)
    victims = _children(proc.pid)
    assert victims, "no worker to kill"
    for victim in victims:  # the workers are the job's only child processes
        os.kill(victim, signal.SIGKILL)
    stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    summary = json.loads(stdout)
    failed = [f["shard"] for f in summary["shards_failed"]]
    assert failed and all("worker process died" in f["reason"] for f in summary["shards_failed"])
    assert summary["shards_run"] == 6 and len(failed) + len(list(out.glob("p-*.jsonl"))) == 6
    assert not list(out.glob(".*"))


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for a reaper."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_with_workers(proc) -> list[int]:
    """SIGKILL a batch run and wait (up to 5 s) for its workers, which die with it
    (PR_SET_PDEATHSIG); returns the workers' pids."""
    import signal
    import time

    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_running(p) for p in workers):
        time.sleep(0.05)
    return workers


def _killable_shards(records: list[dict], model: Path, tmp_path: Path) -> tuple[list, Path]:
    """Shards big enough to kill a run midway, and a folder of their outputs from a whole run."""
    shards = _big_shards(records, tmp_path / "in", n=4, copies=30)
    first = tmp_path / "first"
    _run(shards, first, model, workers=1, summary=False)
    return shards, first


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_sigkill_of_batch_leaves_no_worker_no_stale_summary_and_a_rerun_is_identical(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    """Issue 14: the workers of a SIGKILLed `batch` lived on (PPID 1), publishing shards."""
    shards, first = _killable_shards(records, model, tmp_path)
    out = tmp_path / "out"
    _run(shards, out, model, workers=1, summary=False)
    assert (out / "_summary.json").exists()
    proc = _batch_midway(shards, out, model, "--force", "--no-summary")
    workers = _kill_with_workers(proc)
    assert workers
    assert not [p for p in workers if _running(p)], "workers outlived their parent"
    assert not (out / "_summary.json").exists()  # not the previous run's success
    summary = _run(shards, out, model, workers=2, summary=False)
    assert summary["shards_failed"] == [] and _outputs(out) == _outputs(first)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_live_runs_folder_is_left_to_it_and_a_dead_runs_is_resumed_whatever_its_pid(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    shards, first = _killable_shards(records, model, tmp_path)
    # A second run on a live run's folder is refused: it would rerun (and clean up) the shards
    # the live one is writing, failing them.
    out = tmp_path / "out"
    live = _batch_midway(shards, out, model, "--no-summary")
    cmd = [sys.executable, "-m", "service.cli", "batch", *map(str, shards), "--out", str(out),
           "--model", str(model), "--workers", "1", "--quiet", "--no-summary"]  # fmt: skip
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1, second.stderr
    assert f"another batch run (pid {live.pid}) is writing" in second.stderr
    _, err = live.communicate(timeout=300)
    assert live.returncode == 0, err
    assert _outputs(out) == _outputs(first)
    # A dead run's folder is resumed: its leftovers go, even one whose name carries a pid that
    # is alive now (a pid reused: this test's own), since no writer holds it.
    # Its workers share its hold on the folder, so they must be gone too.
    _kill_with_workers(_batch_midway(shards, out, model, "--force", "--no-summary"))
    reused = out / f".p-0.jsonl.{os.getpid()}.abcdefgh.partial"
    reused.write_text('{"id": "half')
    summary = _run(shards, out, model, workers=1, summary=False)
    assert summary["shards_failed"] == [] and _outputs(out) == _outputs(first)
    assert not list(out.glob(".*"))


def test_a_run_that_fails_leaves_a_summary_that_says_so(
    shards: list[Path], model: Path, tmp_path: Path
) -> None:
    import shutil

    mine = tmp_path / "model"
    shutil.copytree(model, mine)
    out = tmp_path / "out"
    _run(shards, out, mine, workers=1)
    (mine / "model.npz").write_bytes(b"broken")  # fails its sha256 at load, mid-run
    manifest = json.loads((mine / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = "next"  # a new manifest: not the model this process has loaded
    (mine / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError):
        _run(shards, out, mine, workers=1, force=True)
    summary = json.loads((out / "_summary.json").read_text(encoding="utf-8"))
    assert "ModelError" in summary["failed"] and "records_out" not in summary


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="sets RLIMIT_FSIZE")
def test_a_write_that_fails_names_the_shard_and_the_file(
    shards: list[Path], model: Path, tmp_path: Path
) -> None:
    """A full disk said only '[Errno 28] No space left on device'; EFBIG stands in for it."""
    import resource
    import signal
    import subprocess
    import sys

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of dying
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "service.cli", "batch", *map(str, shards), "--out", str(out),
           "--model", str(model), "--workers", "1", "--quiet", "--no-summary"]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=small_files)
    assert run.returncode == 1, run.stderr
    summary = json.loads(run.stdout)
    reasons = {f["shard"]: f["reason"] for f in summary["shards_failed"]}
    assert "a" in reasons, run.stdout
    assert str(shards[0]) in reasons["a"] and f"{out}/a.jsonl" in reasons["a"]
    assert "File too large" in reasons["a"]


def test_an_input_removed_while_the_job_runs_fails_its_shard_alone(
    shards: list[Path], model: Path, tmp_path: Path
) -> None:
    """A local job whose input was removed or renamed after it started (gzipped in place) stopped
    whole, the shards after it never run, saying to share the path with Dask's workers."""
    gone = shards[1]

    def remove_once(progress) -> None:  # while shard a runs, before b is opened
        gone.unlink(missing_ok=True)

    out = tmp_path / "out"
    summary = run_batch([str(p) for p in shards], out, model=model, workers=1,
                        progress=remove_once)  # fmt: skip
    assert [f["shard"] for f in summary["shards_failed"]] == ["b"]
    assert "is gone since the job started" in summary["shards_failed"][0]["reason"]
    assert {n for n in _outputs(out) if not n.startswith("_")} == {"a.jsonl", "c.jsonl"}


@pytest.mark.slow
@pytest.mark.parametrize("gather", [False, True], ids=["shared", "gather"])
def test_an_input_removed_while_a_dask_job_runs_fails_its_shard_alone(
    shards: list[Path], model: Path, tmp_path: Path, gather: bool
) -> None:
    """On Dask too (the client reading it for --gather stopped the job with a traceback)."""
    gone = shards[2]  # sent when a or b is done: one worker of one thread takes two at a time

    def remove_once(progress) -> None:
        gone.unlink(missing_ok=True)

    out = tmp_path / "out"
    with _dask(1) as (cluster, _client):
        summary = run_batch([str(p) for p in shards], out, model=model, gather=gather,
                            scheduler=cluster.scheduler_address, progress=remove_once)  # fmt: skip
    assert [f["shard"] for f in summary["shards_failed"]] == ["c"]
    assert "is gone since the job started" in summary["shards_failed"][0]["reason"]
    assert {n for n in _outputs(out) if not n.startswith("_")} == {"a.jsonl", "b.jsonl"}


def test_a_shard_a_worker_cannot_read_is_a_shard_error_not_a_corpus_error(model, tmp_path):
    """Issue 13: DataError means a training corpus; a shard out of a worker's reach has its own."""
    from service.batch import model_key
    from service.errors import DataError, ShardError

    options = (("summarise", False), ("max_sentences", 0), ("max_chars", 0))
    gone = str(tmp_path / "gone.jsonl")
    job = ShardJob("gone", gone, str(model), model_key(model), options, out_dir=str(tmp_path))
    with pytest.raises(ShardError, match="not found on") as caught:
        process_shard(job)
    assert not isinstance(caught.value, DataError) and caught.value.field == "inputs"


def test_the_library_reports_progress_to_a_callback_never_to_stderr(
    shards: list[Path], model: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Issue 13: batch._Progress wrote to stderr from the library; the caller chooses now."""
    seen = []
    run_batch([str(p) for p in shards], tmp_path / "out", model=model, workers=1,
              progress=seen.append)  # fmt: skip
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    last = seen[-1]
    assert last.final and last.shards_done == last.shards == len(shards)
    assert last.articles > 0 and last.fraction == 1 and last.eta == 0


def test_a_failed_shard_counts_as_no_work_done(records: list[dict], model: Path, tmp_path: Path):
    """A small shard failing at once printed `articles 0  0 articles/s  ETA 0:01:46` for a
    job of a second: its bytes counted as work done at the pace of the model's loading. A
    shard failing midway kept its streamed articles in the count, though none stays written."""
    folder = tmp_path / "in"
    folder.mkdir()
    dump = [json.dumps(r, ensure_ascii=False) for r in records]
    tiny = gzip.compress(("\n".join(dump[:10]) + "\n").encode("utf-8"))
    (folder / "a-tiny.jsonl.gz").write_bytes(tiny[: len(tiny) // 2])  # fails before a record
    big = gzip.compress(("\n".join(dump * 6) + "\n").encode("utf-8"))  # 450 records
    (folder / "b-big.jsonl.gz").write_bytes(big[: len(big) * 9 // 10])  # fails past 256
    (folder / "c.jsonl").write_text("\n".join(dump[:30]) + "\n", encoding="utf-8")
    seen = []
    summary = run_batch([str(folder)], tmp_path / "out", model=model, workers=1,
                        summary=False, progress=seen.append)  # fmt: skip
    assert [f["shard"] for f in summary["shards_failed"]] == ["a-tiny", "b-big"]
    streamed = re.search(r"after (\d+) records", summary["shards_failed"][1]["reason"])
    assert streamed and int(streamed[1]) > 256  # a chunk's articles were reported before
    first = seen[0]  # shown at once: the tiny shard's failure, before any work was done
    assert first.shards_done == 1 and first.articles == 0
    assert first.fraction == 0 and first.eta is None
    last = seen[-1]
    assert last.final and last.fraction == 1 and last.eta == 0
    assert last.articles == summary["processed"] == 30


def test_local_workers_report_progress_before_a_shard_is_done(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    """With 2+ local workers a shard's articles were counted only when it was whole: a job of
    a few big shards showed no line, no rate and no ETA until the first one finished."""
    folder = tmp_path / "in"
    folder.mkdir()
    dump = [json.dumps(r, ensure_ascii=False) for r in records]
    for name in ("a", "b"):  # 300 records each: more than one chunk (CHUNK = 256)
        (folder / f"{name}.jsonl").write_text("\n".join(dump * 4) + "\n", encoding="utf-8")
    seen = []
    summary = run_batch([str(folder)], tmp_path / "out", model=model, workers=2,
                        summary=False, progress=seen.append)  # fmt: skip
    early = [p for p in seen if p.shards_done == 0]
    assert early and early[0].articles > 0 and early[0].fraction > 0
    assert seen[-1].final and seen[-1].articles == summary["processed"] == 600


# --- an archive kept in folders (--keep-tree, --recursive) and compressed output (--gzip) ------


def _archive(records: list[dict], root: Path) -> Path:
    """archive/2019/01.jsonl, archive/2020/01.jsonl.gz (one file name in two folders), 02.jsonl,
    and a hidden folder a recursive search must not enter."""
    dump = [json.dumps(r, ensure_ascii=False) for r in records]
    archive = root / "archive"
    for folder in ("2019", "2020", ".cache"):
        (archive / folder).mkdir(parents=True)
    (archive / "2019" / "01.jsonl").write_text("\n".join(dump[:12]) + "\nnot json\n", "utf-8")
    with gzip.open(archive / "2020" / "01.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(dump[12:24]) + "\n")
    (archive / "2020" / "02.jsonl").write_text("\n".join(dump[24:30]) + "\n", "utf-8")
    (archive / ".cache" / "03.jsonl").write_text(dump[30] + "\n", "utf-8")
    return archive


def _tree(out: Path) -> dict[str, bytes]:
    """Every shard output below `out`, by its path there (plain or gzipped)."""
    found = [p for p in out.rglob("*.jsonl*") if not p.name.startswith(("_", "."))]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(found)}


def _cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, dict, str]:
    from service.cli import main

    code = main(["batch", *args, "--quiet"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else {}, captured.err


def test_keep_tree_names_shards_by_their_folders_and_resumes_them(
    records: list[dict], model: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    archive = _archive(records, tmp_path)
    out = tmp_path / "out"
    glob_ = f"{archive}/*/*.jsonl*"
    common = ("--out", str(out), "--model", str(model), "--workers", "2")
    code, _, err = _cli(capsys, glob_, *common)
    assert code == 2 and "would both be written as 01.jsonl" in err and "--keep-tree" in err
    code, summary, _ = _cli(capsys, glob_, *common, "--keep-tree")
    assert code == 3 and summary["shards"] == 3 and summary["rejected"] == 1
    tree = _tree(out)
    assert list(tree) == ["2019/01.jsonl", "2020/01.jsonl", "2020/02.jsonl"]
    states = sorted(
        p.relative_to(out / "_shards").as_posix() for p in out.rglob("_shards/**/*.json")
    )
    assert states == ["2019/01.json", "2020/01.json", "2020/02.json"]
    # each output is the same bytes a flat job of its own folder writes
    for year in ("2019", "2020"):
        flat = tmp_path / f"flat-{year}"
        _cli(capsys, str(archive / year), "--out", str(flat), "--model", str(model))
        for name, data in _tree(flat).items():
            assert tree[f"{year}/{name}"] == data, name
    rejected = json.loads((out / "_errors.jsonl").read_text("utf-8"))
    assert rejected["source"] == str(archive / "2019" / "01.jsonl") and rejected["line"] == 13
    # resume: a glob matching one more folder's file later keeps the names, so only it runs;
    # a dead run's temporary file in a subfolder is cleaned up, not published
    (archive / "2021").mkdir()
    (archive / "2021" / "01.jsonl").write_text(json.dumps(records[40], ensure_ascii=False) + "\n")
    leftover = out / "2019" / ".01.jsonl.999.dead.partial"
    leftover.write_text('{"id": "half')
    (out / "2020" / "02.jsonl").unlink()
    code, summary, _ = _cli(capsys, glob_, *common, "--keep-tree")
    assert (summary["shards_run"], summary["shards_skipped"]) == (2, 2), summary
    assert not leftover.exists() and summary["stale_outputs"] == []
    assert {k: v for k, v in _tree(out).items() if k != "2021/01.jsonl"} == tree
    # a folder searched at every depth names its shards the same: nothing to redo; a shard
    # from an input no longer given is named as stale, with its folder
    code, summary, err = _cli(capsys, str(archive / "2020"), str(archive / "2021"), *common,
                              "--keep-tree")  # fmt: skip
    assert summary["shards_skipped"] == 3 and summary["stale_outputs"] == ["2019/01.jsonl"]
    assert "2019/01.jsonl" in err
    code, summary, _ = _cli(capsys, str(archive), *common, "--recursive")
    assert summary["shards"] == 4 and summary["shards_skipped"] == 4  # .cache/ not searched
    # an output folder below a searched one would be read back as input by the next run, and
    # one holding an input at any depth would overwrite it: both refused before any work
    code, _, err = _cli(capsys, str(archive), "--recursive", "--out", str(archive / "labelled"))
    assert code == 2 and "which --recursive searches" in err
    assert not (archive / "labelled").exists()
    code, _, err = _cli(capsys, glob_, "--keep-tree", "--out", str(tmp_path))
    assert code == 2 and "holds the input" in err


@pytest.mark.parametrize("workers", [1, 2])
def test_gzip_output_is_reproducible_and_an_option_change_redoes_the_shard(
    records: list[dict], model: Path, tmp_path: Path, capsys: pytest.CaptureFixture, workers
) -> None:
    archive = _archive(records, tmp_path)
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    common = ("--model", str(model), "--workers", str(workers), "--keep-tree")
    _cli(capsys, f"{archive}/*/*.jsonl*", "--out", str(plain), *common)
    code, summary, _ = _cli(
        capsys, f"{archive}/*/*.jsonl*", "--out", str(packed), *common, "--gzip"
    )
    assert code == 3 and summary["shards_run"] == 3
    first = _tree(packed)
    assert list(first) == ["2019/01.jsonl.gz", "2020/01.jsonl.gz", "2020/02.jsonl.gz"]
    for name, data in first.items():
        assert gzip.decompress(data) == (plain / name.removesuffix(".gz")).read_bytes()
        assert data[4:8] == b"\0\0\0\0"  # no time in the header
    # the same bytes on a forced rerun, and on one process as on two
    _cli(capsys, f"{archive}/*/*.jsonl*", "--out", str(packed), *common, "--gzip", "--force")
    assert _tree(packed) == first
    # resume: the same options skip; dropping --gzip redoes every shard and the compressed
    # files (this input's, superseded) go rather than stand beside the new ones
    code, summary, _ = _cli(
        capsys, f"{archive}/*/*.jsonl*", "--out", str(packed), *common, "--gzip"
    )
    assert summary["shards_skipped"] == 3
    code, summary, _ = _cli(capsys, f"{archive}/*/*.jsonl*", "--out", str(packed), *common)
    assert summary["shards_run"] == 3 and summary["stale_outputs"] == []
    assert _tree(packed) == _tree(plain)


@pytest.mark.slow
def test_a_dask_job_keeps_the_tree_and_gzips_as_a_local_one(
    records: list[dict], model: Path, tmp_path: Path
) -> None:
    archive = _archive(records, tmp_path)
    kw = {"keep_tree": True, "gzip": True, "summary": False}
    local = tmp_path / "local"
    _run([f"{archive}/*/*.jsonl*"], local, model, workers=1, **kw)
    with _dask(2) as (cluster, _client):
        for gather in (False, True):
            out = tmp_path / f"dask-{gather}"
            _run([f"{archive}/*/*.jsonl*"], out, model, scheduler=cluster.scheduler_address,
                 gather=gather, **kw)  # fmt: skip
            assert _tree(out) == _tree(local) and len(_tree(out)) == 3
            again = _run([f"{archive}/*/*.jsonl*"], out, model,
                         scheduler=cluster.scheduler_address, gather=gather, **kw)  # fmt: skip
            assert again["shards_skipped"] == 3


# -- --pages: each line a page, each output line one of its articles as analyse --json -------

HAND_PAGE = (
    "城东书房开门迎客\n"
    "周末的城东书房里坐满了读者，书房还办起了古诗朗读会，请来退休教师领读。\n"
    "书架上的书都是居民捐的，有小说、有画册，也有不少孩子们爱看的绘本。\n"
    "负责人说，开门半年来，这里接待读者两万多人次，借出图书一万多册。\n"
    "\n"
    "我市新建十座污水处理厂\n"
    "本报讯 记者从市住建局获悉，今年我市新建的十座污水处理厂已全部投入运行。\n"
    "新厂投运后，全市日处理污水能力提高三成，主要河流水质明显好转。\n"
    "市住建局有关负责人表示，明年将继续推进管网改造，补齐城乡短板。\n"
)
NO_ARTICLE_PAGE = "本报讯\n"  # a dateline alone: a page, but no article on it


def _page_archive(sample_page: str, tmp_path: Path) -> tuple[Path, list[tuple[object, str]]]:
    """pages.jsonl: the sample page, bad pages among good ones, a page with no article."""
    from service.validation import MAX_PAGE_CHARS

    good = [("gy-1", sample_page), (7, HAND_PAGE), ("furniture", NO_ARTICLE_PAGE)]
    rows = [
        {"id": "gy-1", "text": sample_page, "date": "2019-12-18", "page": 1},  # not copied
        {"id": "num", "text": 42},
        {"id": "empty", "text": " \n "},
        {"id": 7, "text": HAND_PAGE},
        {"id": "long", "text": "字" * (MAX_PAGE_CHARS + 1)},
        {"id": "furniture", "text": NO_ARTICLE_PAGE},
    ]
    src = tmp_path / "in" / "pages.jsonl"
    src.parent.mkdir()
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return src, good


def _analysed_json(capsys, page: str, model: Path, tmp_path: Path, *flags: str) -> list[str]:
    from service.cli import main

    path = tmp_path / "page.txt"
    path.write_text(page, encoding="utf-8")
    assert main(["analyse", str(path), "--json", "--model", str(model), *flags]) == 0
    return capsys.readouterr().out.splitlines()


def test_pages_writes_each_article_as_analyse_json_and_resumes(
    sample_page: str, model: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    src, good = _page_archive(sample_page, tmp_path)
    out = tmp_path / "out"
    terms = ("--explain", "2", "--keywords", "2")
    common = (str(src), "--out", str(out), "--model", str(model), "--workers", "1", *terms)
    # A records job first (each page record is a valid record): --pages redoes its shard.
    code, summary, _ = _cli(capsys, *common)
    assert code == 3 and "pages" not in summary and summary["records_out"] == 2
    code, summary, err = _cli(capsys, *common, "--pages")
    assert code == 3 and summary["shards_run"] == 1, err
    lines = (out / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    want = []
    for pid, page in good:
        for i, line in enumerate(_analysed_json(capsys, page, model, tmp_path, *terms), 1):
            # analyse --json's bytes, after the page's id and the article's number
            head = json.dumps({"page_id": pid, "article": i}, ensure_ascii=False)
            want.append(head[:-1] + ", " + line[1:])
    assert len(want) == 7 and lines == want  # 5 articles of the sample page, 2 of the hand one
    assert all("date" not in json.loads(line) for line in lines)  # other page fields: not copied
    assert {k: summary[k] for k in ("records_in", "records_out", "rejected")} == {
        "records_in": 6,  # pages read, the rejected ones included
        "records_out": 7,  # articles written
        "rejected": 3,
    }
    assert summary["pages"] is True and summary["pages_no_article"] == 1
    # named, as a reject row names its record, where the run's note on stderr points
    empty = [
        json.loads(e) for e in (out / "_pages_no_article.jsonl").read_text("utf-8").splitlines()
    ]
    assert empty == [{"source": str(src), "line": 6, "id": "furniture"}]
    assert f"1 page(s) gave no article; see {out / '_pages_no_article.jsonl'}" in err
    assert sum(summary["labels"].values()) == 7
    errors = [json.loads(e) for e in (out / "_errors.jsonl").read_text("utf-8").splitlines()]
    assert [(e["line"], e["id"]) for e in errors] == [(2, "num"), (3, "empty"), (5, "long")]
    assert "over the limit" in errors[2]["reason"] and "split it into pages" in errors[2]["reason"]
    # resumed: done with the same options, skipped; its counts still in the summary
    code, again, _ = _cli(capsys, *common, "--pages")
    assert code == 3 and again["shards_skipped"] == 1 and again["pages_no_article"] == 1
    assert (out / "_pages_no_article.jsonl").read_text("utf-8").count("furniture") == 1
    assert (out / "pages.jsonl").read_text(encoding="utf-8").splitlines() == lines
    # and back: a run without --pages redoes it as records
    code, summary, _ = _cli(capsys, *common)
    assert code == 3 and summary["shards_run"] == 1 and "pages_no_article" not in summary
    assert not (out / "_pages_no_article.jsonl").exists()  # (it would name pages of no job)


def test_pages_job_on_a_worker_is_the_same_bytes(
    sample_page: str, model: Path, tmp_path: Path
) -> None:
    """The job object is what a Dask worker runs: gathered (bytes in, bytes out) and on a
    cluster, the same bytes and counts as a local run."""
    from service.pool import model_key

    src, _ = _page_archive(sample_page, tmp_path)
    out = tmp_path / "out"
    _run([src], out, model, workers=1, pages=True)
    options = (("summarise", True), ("max_sentences", 0), ("max_chars", 0), ("pages", True))
    key = model_key(str(model.resolve()))
    job = ShardJob("pages", str(src), str(model.resolve()), key, options, data=src.read_bytes())
    result = process_shard(job)
    assert result.output == (out / "pages.jsonl").read_bytes()
    assert (result.records_in, result.records_out, result.no_article) == (
        6,
        7,
        ((6, "furniture", []),),
    )
    with _dask(1) as (cluster, _client):
        for gather in (False, True):
            on = tmp_path / f"dask-{gather}"
            summary = _run([src], on, model, scheduler=cluster.scheduler_address,
                           gather=gather, pages=True)  # fmt: skip
            assert _outputs(on) == _outputs(out) and summary["pages_no_article"] == 1
            listed = (on / "_pages_no_article.jsonl").read_text("utf-8")
            assert listed == (out / "_pages_no_article.jsonl").read_text("utf-8")


def test_pages_say_a_page_of_columns_side_by_side_on_each_of_its_lines(
    sample_page: str, model: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A page's warnings (`Page.warnings`: analyse's stderr) ride on each of its articles'
    lines as `page_warnings`, after `article`; the pages warned are counted."""
    from tests.test_side_by_side import side_by_side_page

    columns = side_by_side_page()
    rows = [{"id": "a", "text": sample_page}, {"id": "cols", "text": columns}]
    src = tmp_path / "in" / "pages.jsonl"
    src.parent.mkdir()
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = tmp_path / "out"
    code, summary, _ = _cli(capsys, str(src), "--out", str(out), "--model", str(model),
                            "--workers", "1", "--pages")  # fmt: skip
    assert code == 0 and summary["pages_warned"] == 1
    lines = (out / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    found = [json.loads(line) for line in lines]
    said = [f for f in found if f["page_id"] == "cols"]
    assert said and all(len(f["page_warnings"]) == 1 for f in said)
    assert "side by side" in said[0]["page_warnings"][0]
    assert list(said[0])[:3] == ["page_id", "article", "page_warnings"]
    assert all("page_warnings" not in f for f in found if f["page_id"] == "a")
    # the rest of the line is analyse --json's, as on a page without warnings
    want = _analysed_json(capsys, columns, model, tmp_path)
    assert [{k: v for k, v in f.items() if k not in ("page_id", "article", "page_warnings")}
            for f in said] == [json.loads(w) for w in want]  # fmt: skip


def test_a_page_the_splitter_fails_on_is_rejected_alone(sample_page: str, model: Path) -> None:
    """Pages are split one by one before their chunk's one model call: a page the splitter
    raises on (a text that is no string: no page record parses to one) goes to the errors,
    its chunk's other pages are written."""
    from service.pages import read_page
    from service.pipeline import page_lines
    from service.pool import cached_classifier, model_key
    from service.validation import Page

    classifier = cached_classifier(str(model.resolve()), model_key(str(model.resolve())))
    asked = dict(summarise=True, max_sentences=0, max_chars=0, explain=0, keywords=0)
    pages = [(1, Page("a", sample_page)), (2, Page(7, None)), (3, Page("c", HAND_PAGE))]
    seen, errors, empty = {"warned": 0}, [], []
    got = list(batch_pages.page_results(iter(pages), classifier, asked, seen, errors, empty))
    splits = [read_page(sample_page), read_page(HAND_PAGE)]
    want = page_lines([pages[0][1], pages[2][1]], splits, classifier, **asked)
    assert got == want[0] + want[1] and len(got) == 7
    assert [(line, rid) for line, _, rid in errors] == [(2, "7")]
    assert errors[0][1].startswith("the page could not be split (InvalidInput: page must be a str")


def test_a_page_of_crlf_lines_is_read_as_its_lf_form_and_one_of_lone_crs_is_rejected(
    model: Path,
) -> None:
    # docs/batch.md said a page whose lines end other than in \n is rejected: \r\n reads the same
    from service.pool import model_key

    crlf, lone = HAND_PAGE.replace("\n", "\r\n"), HAND_PAGE.replace("\n", "\r")
    data = "".join(
        json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate([HAND_PAGE, crlf, lone])
    )
    options = (("summarise", False), ("max_sentences", 0), ("max_chars", 0), ("pages", True))
    path = str(model.resolve())
    job = ShardJob("p", "p.jsonl", path, model_key(path), options, data=data.encode("utf-8"))
    result = process_shard(job)
    rows = [json.loads(line) for line in result.output.decode("utf-8").splitlines()]
    fields = lambda pid: [(r["title"], r["label"]) for r in rows if r["page_id"] == pid]  # noqa: E731
    assert len(fields(0)) == 2 and fields(1) == fields(0)
    assert [(line, why.startswith("the page's lines end in a lone carriage return"))
            for line, why, _ in result.errors] == [(3, True)]  # fmt: skip


def test_pages_over_a_chunk_are_each_as_analyse_json_writes_them(
    sample_page: str, model: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """More pages than a chunk (one model call for all a chunk's articles): each page's lines
    are still its own `analyse --json` bytes, in page order, across the chunks' seam."""
    from service.pool import model_key

    texts = [sample_page, HAND_PAGE]
    alone = [_analysed_json(capsys, t, model, tmp_path) for t in texts]
    n = batch_shards.CHUNK + 7
    data = "".join(json.dumps({"id": i, "text": texts[i % 2]}) + "\n" for i in range(n))
    options = (("summarise", True), ("max_sentences", 0), ("max_chars", 0), ("pages", True))
    path = str(model.resolve())
    job = ShardJob("p", "p.jsonl", path, model_key(path), options, data=data.encode("utf-8"))
    result = process_shard(job)
    want = [
        json.dumps({"page_id": i, "article": k}, ensure_ascii=False)[:-1] + ", " + line[1:]
        for i in range(n)
        for k, line in enumerate(alone[i % 2], start=1)
    ]
    assert result.output.decode("utf-8").splitlines() == want
    assert (result.records_in, result.records_out) == (n, len(want))


def test_a_chunk_of_pages_closes_at_its_character_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # 256 pages near the million-character limit made one chunk of ~GBs of splits and articles;
    # the chunk now also closes at CHUNK_PAGE_CHARS, a page longer than it alone.
    from service.validation import Page

    monkeypatch.setattr(batch_pages, "CHUNK_PAGE_CHARS", 100)
    sizes = [40, 40, 30, 100, 150, 10, 10]
    pages = [(i, Page(i, "字" * n)) for i, n in enumerate(sizes)]
    chunks = [[i for i, _ in c] for c in batch_pages._page_chunks(iter(pages))]
    assert chunks == [[0, 1], [2], [3], [4], [5, 6]]
    monkeypatch.setattr(batch_pages, "CHUNK", 2)
    monkeypatch.setattr(batch_pages, "CHUNK_PAGE_CHARS", 1 << 22)
    chunks = [[i for i, _ in c] for c in batch_pages._page_chunks(iter(pages))]
    assert chunks == [[0, 1], [2, 3], [4, 5], [6]]
