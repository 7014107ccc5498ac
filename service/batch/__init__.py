"""Batch JSONL jobs at archive scale: shards run in local processes or on a Dask cluster, resumably.

Every input shard becomes one task. A task reads its shard, labels (and leads) its records in
vectorised chunks, and publishes `<out>/<shard>.jsonl` through the one atomic writer
(`service.atomic`), so a crash, a dead Dask worker or Ctrl-C never leaves a half-written shard:
a rerun skips the shards that completed and redoes the rest. Records are processed by one
function, `process_shard`, wherever the task runs, so the output is byte-identical for 1 local
process, N local processes or a Dask cluster.

The package by topic: `shards` (inputs, the task), `state` (resume), `runners` (local, Dask),
`progress` (counts for a progress line), and here the job itself; the `newsdesk batch`
flags live with the CLI's (service.cli.parser).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from service.atomic import write_atomic
from service.errors import InvalidInput, ShardError
from service.jsonl import Rejected, json_text
from service.pool import model_key
from service.validation import check_lead_options, check_terms

from .progress import BatchProgress, Tracker
from .runners import run_dask, run_local
from .shards import (
    CHUNK,
    ERRORS,
    NO_ARTICLE,
    STATE,
    SUMMARY,
    ShardJob,
    ShardResult,
    expand_inputs,
    expand_shards,
    process_shard,
    shard_name,
)
from .state import clean_leftovers, holding, identity, load_done, save_done, state_path

__all__ = [
    "run_batch",
    "expand_inputs",
    "expand_shards",
    "shard_name",
    "process_shard",
    "model_key",
    "BatchProgress",
    "ShardJob",
    "ShardResult",
    "CHUNK",
    "ERRORS",
    "NO_ARTICLE",
    "STATE",
    "SUMMARY",
]


# A Dask scheduler's address: [tcp|tls|ws|wss|ucx://]HOST[:PORT], HOST a name or [IPv6]; or
# an in-process LocalCluster's (processes=False) inproc://HOST/PID/N, for callers in Python.
_SCHEDULER = re.compile(
    r"((tcp|tls|wss?|ucx)://)?([^\s/:\[\]]+|\[[0-9a-fA-F:.]+\])(:\d+)?|inproc://[^\s/]+(/\d+)+"
)


def run_batch(
    inputs: Sequence[str | Path] | str | Path,
    out_dir: str | Path,
    *,
    model: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    gather: bool = False,
    summary: bool = True,
    force: bool = False,
    max_sentences: int = 0,
    max_chars: int = 0,
    explain: int = 0,
    keywords: int = 0,
    keep_tree: bool = False,
    recursive: bool = False,
    gzip: bool = False,
    pages: bool = False,
    progress: Callable[[BatchProgress], None] | None = None,
) -> dict:
    """Label (and lead) every record of every shard into `out_dir`; returns the run's summary.

    `model` defaults to `service.classifier.DEFAULT_MODEL`. `workers` local processes (default:
    all cores) or the Dask cluster at `scheduler` run the shards; shards completed by an earlier
    run with the same inputs, model and options are skipped unless `force`. `progress` is
    called with a `BatchProgress` about once a second (the library itself prints nothing).
    `keep_tree` names each shard by its path below the inputs' common folder (`DIR/2019/01.jsonl`),
    `recursive` searches folders at every depth (and names shards so), `gzip` writes
    `<shard>.jsonl.gz`. `pages`: each input line is a page (`id`, `text`), each output line
    one of its articles as `newsdesk analyse --json` writes it, with `page_id` and `article`
    (and `page_warnings`, what analyse says of the page on stderr, on a page with any).
    """
    started = time.perf_counter()
    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise InvalidInput(f"workers must be 1 or more (got {workers})", field="workers", limit=1)
    if scheduler is not None and workers is not None:
        raise InvalidInput(
            "--workers sets local processes; with --scheduler the cluster's workers run the job",
            field="workers",
        )
    if gather and scheduler is None:
        raise InvalidInput("--gather only applies with --scheduler", field="gather")
    if scheduler is not None and not _SCHEDULER.fullmatch(scheduler):
        # http://HOST:8787 (the dashboard's URL) reached Dask's Client: a traceback, 20 s hung
        raise InvalidInput(
            f"--scheduler {scheduler!r} is not a Dask scheduler's address: give "
            "tcp://HOST:PORT (tls://… for TLS; the dashboard's http:// URL is not it)",
            field="scheduler",
        )
    check_lead_options(max_sentences, max_chars)  # here, before any shard is written
    check_terms("explain", explain)
    check_terms("keywords", keywords)
    if model is None:
        from service.classifier import DEFAULT_MODEL

        model = DEFAULT_MODEL
    keep_tree = keep_tree or recursive  # a search of subfolders names its shards by them
    named = expand_shards(inputs, tree=keep_tree, recursive=recursive)
    paths = [path for _, path in named]
    out = Path(out_dir).resolve()
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {out_dir} is a file: name a folder", field="out_dir")
    inside = [p for p in paths if out in (p.absolute().parent.resolve(), p.resolve().parent)]
    if keep_tree:  # outputs go to DIR's subfolders too: an input anywhere below DIR is in the way
        inside += [p for p in paths if out in p.absolute().resolve().parents]
    if inside:
        raise InvalidInput(
            f"--out {out_dir} holds the input {inside[0]}: outputs would overwrite or mix with "
            "the inputs; name another folder",
            field="out_dir",
        )
    given = [inputs] if isinstance(inputs, str | Path) else inputs
    for folder in (Path(i) for i in given if recursive and Path(i).is_dir()):
        if folder.resolve() in out.parents:  # the next run's search would take outputs as input
            raise InvalidInput(
                f"--out {out_dir} is inside {folder}, which --recursive searches: the next run "
                "would read this one's outputs as inputs; name a folder outside it",
                field="out_dir",
            )
    model_path = str(Path(model).resolve())
    key = model_key(model_path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file on its path, no permission, a full disk: name --out
        raise ShardError(
            f"cannot create --out {out_dir}: {exc.strerror} ({exc.filename})", field="out_dir"
        ) from None
    with holding(out):  # a live run's folder is refused here, before anything in it is touched
        clean_leftovers(out)
        # The summary describes the last run: the previous one's goes now, and a run that fails
        # below writes one that says so.
        (out / SUMMARY).unlink(missing_ok=True)
        try:
            return _run_jobs(named, out, model_path, key, started, scheduler, workers, gather,
                             summary, force, max_sentences, max_chars, progress,
                             explain=explain, keywords=keywords, gzip=gzip,
                             tree=keep_tree, pages=pages)  # fmt: skip
        except BaseException as exc:
            why = f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"
            if isinstance(exc, KeyboardInterrupt):  # Ctrl-C, or SIGTERM as the CLI raises it
                why = f"stopped by {exc.args[0] if exc.args else 'Ctrl-C (SIGINT)'}"
            failed = {"out_dir": str(out), "model": model_path, "failed": why}
            with contextlib.suppress(OSError):
                _write_summary(out, failed)
            raise


def _run_jobs(named, out, model_path, key, started, scheduler, workers, gather, summary, force,
              max_sentences, max_chars, progress, *, explain=0, keywords=0, gzip=False,
              tree=False, pages=False) -> dict:  # fmt: skip
    """run_batch once its arguments are checked: the shards, the errors file, the summary."""

    options = (
        ("summarise", bool(summary)),
        ("max_sentences", int(max_sentences)),
        ("max_chars", int(max_chars)),
    )
    # Only when asked for: shards finished by a run without them still count as done.
    asked = (("explain", explain), ("keywords", keywords), ("gzip", bool(gzip)))
    asked += (("pages", bool(pages)),)
    options += tuple((k, v) for k, v in asked if v)
    jobs = [ShardJob(name, str(p), model_path, key, options, out_dir=str(out)) for name, p in named]
    states: dict[str, dict] = {}
    todo: list[ShardJob] = []
    for job in jobs:
        state = None if force else load_done(out, job)
        if state is None:
            todo.append(job)
        else:
            states[job.name] = state
    if force:
        for job in jobs:  # a forced run must not leave an old shard looking complete
            state_path(out, job.name).unlink(missing_ok=True)

    n_workers = 1
    if scheduler is None:
        n_workers = min(int(workers or os.cpu_count() or 1), max(len(todo), 1))
    # Each input as it stands before any is read: what a shard's state records as done.
    before = {job.name: identity(job) for job in todo}
    weights = {name: ident["size"] for name, ident in before.items()}
    tracker = Tracker(len(todo), weights, (progress or None) if todo else None,
                      skipped=len(jobs) - len(todo))  # fmt: skip
    processed = {"records": 0}

    failed: dict[str, str] = {}

    def on_done(job: ShardJob, result: ShardResult, streamed: bool) -> None:
        if result.failed:
            # Nothing of this input may stand as done: an output from an older run goes too.
            failed[job.name] = result.failed
            for older in (f"{job.name}.jsonl", f"{job.name}.jsonl.gz"):  # (either --gzip's)
                (out / older).unlink(missing_ok=True)
            state_path(out, job.name).unlink(missing_ok=True)
            tracker.shard(job.name, 0, streamed, failed=True)
            return
        if result.output is not None:  # gathered: the client publishes it
            (out / job.output).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(out / job.output, result.output, fsync=True)
        elif not (out / job.output).exists():
            raise ShardError(
                f"a worker wrote {job.output} where this client cannot see it; "
                f"make {out} a shared path for every worker or use --gather",
                field="out_dir",
            )
        # The other format's output of this shard (a run before --gzip was given or dropped):
        # superseded by this one, of the same input, so it goes rather than sit there stale.
        other = job.output.removesuffix(".gz") if job.output.endswith(".gz") else job.output + ".gz"
        (out / other).unlink(missing_ok=True)
        states[job.name] = save_done(out, job, result, before[job.name])
        processed["records"] += result.records_out
        tracker.shard(job.name, result.records_out, streamed)

    if todo:
        try:
            if scheduler is None:
                run_local(todo, n_workers, on_done, tracker)
            else:
                run_dask(todo, scheduler, gather, on_done, tracker)
        finally:
            clean_leftovers(out)  # a worker killed mid-shard cannot remove its own temp file

    finished = [job for job in jobs if job.name in states]
    # The same row as `classify --errors` writes: which input, which line, whose id, why (a
    # state saved before rows had the id holds [line, reason]).
    errors = [
        Rejected(line, reason, job.source, *rid[:1]).as_dict()
        for job in finished
        for line, reason, *rid in states[job.name]["errors"]
    ]
    data = "".join(json_text(e) + "\n" for e in errors)
    write_atomic(out / ERRORS, data, fsync=True)

    labels: dict[str, int] = {}
    for job in finished:
        for label, n in states[job.name]["labels"].items():
            labels[label] = labels.get(label, 0) + n
    wall = time.perf_counter() - started
    result = {
        "out_dir": str(out),
        "model": model_path,
        "runner": scheduler or f"local:{n_workers}",
        "shards": len(jobs),
        "shards_run": len(todo),
        "shards_skipped": len(jobs) - len(todo),
        "shards_failed": [{"shard": name, "reason": why} for name, why in sorted(failed.items())],
        "records_in": sum(states[j.name]["records_in"] for j in finished),
        "records_out": sum(states[j.name]["records_out"] for j in finished),
        "rejected": len(errors),
        "labels": dict(sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))),
        # Empty leads: no whole sentence fits max_chars (a state saved before had no count).
        "leads_no_fit": sum(states[j.name].get("leads_no_fit", 0) for j in finished),
        "processed": processed["records"],
        "wall_s": round(wall, 3),
        "articles_per_s": round(processed["records"] / wall, 1) if wall > 0 else 0.0,
        "summary": bool(summary),
    }
    if not pages:  # (a listing left by an earlier --pages run would name pages of no job)
        (out / NO_ARTICLE).unlink(missing_ok=True)
    if pages:  # records_in counts pages (lines), records_out articles: as the docs say
        result["pages"] = True
        empty = (states[j.name].get("pages_no_article", 0) for j in finished)
        result["pages_no_article"] = sum(empty)
        _write_no_article(out, finished, states)
        result["pages_warned"] = sum(states[j.name].get("pages_warned", 0) for j in finished)
    # Shard outputs no input of this job accounts for (an input since removed or renamed):
    # named, not deleted, since a reader globbing DIR/*.jsonl would take them for current.
    names = {job.output for job in jobs}
    result["stale_outputs"] = _stale(out, names, tree)
    _write_summary(out, result)
    return result


def _write_no_article(out: Path, finished: list, states: dict) -> None:
    """`_pages_no_article.jsonl`: each page that gave no article, named as a reject row names
    its record (which input, which line, whose id), with what was said of the page, if any
    (a state saved before the listing existed counts its pages but cannot name them)."""
    rows = []
    for job in finished:
        for line, rid, warnings in states[job.name].get("pages_no_article_at", []):
            row = {"source": job.source, "line": line, "id": rid}
            rows.append(row | ({"page_warnings": warnings} if warnings else {}))
    write_atomic(out / NO_ARTICLE, "".join(json_text(r) + "\n" for r in rows), fsync=True)


def _stale(out: Path, names: set[str], tree: bool) -> list[str]:
    """Shard outputs in `out` (in its subfolders too with `tree`) that are not in `names`."""
    found = [p for glob in ("*.jsonl", "*.jsonl.gz") for p in out.glob(glob)]
    if tree:
        found = [p for glob in ("**/*.jsonl", "**/*.jsonl.gz") for p in out.glob(glob)]
    rel = {p.relative_to(out).as_posix() for p in found if p.is_file()}
    # (`_errors.jsonl`; a hidden folder's files are no shard's)
    hidden = {n for n in rel if any(part.startswith(".") for part in n.split("/")[:-1])}
    return sorted(n for n in rel - hidden if n not in names and not n.startswith("_"))


def _write_summary(out: Path, summary: dict) -> None:
    """The run's `_summary.json`, swapped in whole and synced to disk."""
    write_atomic(out / SUMMARY, json_text(summary, indent=2) + "\n", fsync=True)
