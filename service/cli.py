"""The `newsdesk` command line: thin commands over functions that return data; only it prints.

Exit codes: 0 ok; 1 the run failed (model, data or server trouble); 2 a usage error (as
argparse's own); 3 some input records were rejected while the rest was processed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import signal
import sys
import tempfile
import unicodedata
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import IO, Any

from .errors import (
    ClusterUnavailable,
    DataError,
    ExportError,
    InvalidInput,
    ModelError,
    ModelNotLoaded,
    NewsdeskError,
    RemoteError,
    ShardError,
    WorkerLost,
)

__all__ = ["main", "build_parser", "EXIT_CODES", "EXIT_REJECTED"]

# One table from error type to exit code; the most specific class wins.
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (InvalidInput, 2),
    (ModelNotLoaded, 1),
    (ModelError, 1),
    (DataError, 1),
    (ExportError, 1),
    (ShardError, 1),
    (WorkerLost, 1),
    (ClusterUnavailable, 1),
    (RemoteError, 1),
    (NewsdeskError, 1),
)

# The corpora sit beside the repository (../shared/data from its root), wherever one runs from.
DEFAULT_DATA = os.environ.get(
    "NEWSDESK_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data")
)
EXIT_REJECTED = 3  # some records were rejected, the rest processed; 2 stays argparse's usage error
EXIT_HELP = """exit codes:
  0  all went well
  1  the run failed (model, data, file or server trouble)
  2  usage error (bad flag, missing input file, output that is the input)
  3  some records were rejected (reported on stderr / --errors); the rest were processed"""
RECORD_COMMANDS = ("classify", "summarise")  # JSONL in, JSONL out, on every core


def _exit_code(exc: BaseException) -> int:
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return 1


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that every `finally` runs."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _default_model() -> str:
    from .classifier import DEFAULT_MODEL

    return os.environ.get("NEWSDESK_MODEL", str(DEFAULT_MODEL))


def _load_classifier(path: str | None):
    from .classifier import Classifier

    return Classifier.load(path or _default_model())


def _same_file(a: Path, b: str | None) -> bool:
    """Both name one regular file (or one path not yet written); /dev/null twice is fine."""
    if b in (None, "-"):
        return False
    other = Path(b)
    try:
        if a.exists() and other.exists():
            return a.is_file() and other.is_file() and a.samefile(other)
        return a.resolve() == other.resolve()
    except (OSError, RuntimeError):  # a symlink loop: _output says so, naming the flag
        return False


# Names of descriptors the process already has open: the file behind them is the shell's.
_DESCRIPTOR = re.compile(r"/(dev/(stdout|stderr|fd/\d+)|proc/(self|\d+)/fd/\d+)")


def _is_stdout(path: str | None) -> bool:
    """`path` names the file or terminal this process's stdout writes to."""
    if path in (None, "-"):
        return False
    try:
        here, there = os.stat(path), os.fstat(1)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _in_place(target: Path) -> tuple[bool, int | None]:
    """Whether `target` is written as it is, never replaced (a FIFO, a device, a descriptor
    path such as /dev/stdout), and the descriptor of ours to write through when it names one."""
    m = _DESCRIPTOR.fullmatch(str(target.absolute()))
    if m is None:
        return target.exists() and not target.is_file(), None
    text = m.group(0)
    if text in ("/dev/stdout", "/dev/stderr"):
        return True, 1 if text.endswith("stdout") else 2
    if text.startswith("/proc/") and not text.startswith(("/proc/self/", f"/proc/{os.getpid()}/")):
        return True, None  # another process's descriptor: reopened as a path
    return True, int(text.rsplit("/", 1)[1])


@contextmanager
def _output(path: str | None, *others: str | None, flag: str = "--output") -> Iterator[IO[str]]:
    """stdout, or a file that appears whole when the command succeeds (`.gz`: compressed).

    The answers go to a temporary name beside the file and are renamed over it at the end, so
    a failed or interrupted run leaves an existing file as it was. A path that is also one of
    `others` (the input, the other output) is refused before anything is read. A path that is
    not a regular file (a FIFO, /dev/null) is written as it is; a symlink's target is replaced.
    """
    if path in (None, "-"):
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise InvalidInput(f"{flag} {path} is a folder: name a file", field=flag.strip("-"))
    for other in others:
        if _same_file(target, other):
            raise InvalidInput(
                f"{flag} {path} is also {other}, given for another part of this run: writing "
                "it would destroy that; name another file",
                field=flag.strip("-"),
            )
    in_place, fd = _in_place(target)
    if in_place:
        if fd is not None:
            # The descriptor itself (a copy), not the path reopened: what the shell opened with
            # > or >> is written at its own position, in turn with anything else written there.
            with open(os.dup(fd), "w", encoding="utf-8") as out:
                yield out
            return
        with open(target, "a", encoding="utf-8") as out:  # a FIFO, a device
            yield out
        return
    try:
        target = target.resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            mode = target.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        _stale_partials(target)
        # The pid in the name tells a later run whether the writer is still alive.
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".partial", dir=target.parent
        )
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise InvalidInput(f"cannot write {flag} {path}: {exc}", field=flag.strip("-")) from exc
    partial = Path(name)
    with open(handle, "wb") as raw:
        os.fchmod(raw.fileno(), mode)  # as the file it replaces, not mkstemp's 0600
        if target.suffix == ".gz":
            import gzip
            import io

            # The gzip header names the file it will be, not the temporary one.
            packed = gzip.GzipFile(target.name, "wb", fileobj=raw)
            out: IO[str] = io.TextIOWrapper(packed, encoding="utf-8")
        else:
            out = open(raw.fileno(), "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        try:
            yield out
            out.close()  # gzip's trailer, then everything into `raw`
            raw.close()
            os.replace(partial, target)
        finally:
            out.close()
            partial.unlink(missing_ok=True)


def _stale_partials(target: Path) -> None:
    """Remove the temporary outputs for `target` that runs which died left (SIGKILL, power).

    A live run's file is left alone; one whose writer cannot be told is reported, not removed.
    """
    import glob

    for path in target.parent.glob(f".{glob.escape(target.name)}.*.partial"):
        pid = path.name[len(target.name) + 2 :].split(".", 1)[0]
        if not pid.isdigit():
            _err(f"note: {path} is a partial output of an earlier run; remove it if no run "
                 f"is writing {target}")  # fmt: skip
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive (or another user's): still writing
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        try:
            size = path.stat().st_size
            path.unlink()
        except OSError:
            continue
        _err(f"removed {path} ({size:,} bytes): a partial output left by a run that died "
             f"(pid {pid})")  # fmt: skip


def _bytes_writer(out: IO[str]):
    """Write UTF-8 bytes to a text output: to its buffer, bypassing a second encoding."""
    out.flush()
    buffer = getattr(out, "buffer", None)
    if buffer is None:  # a text-only stream (a StringIO): decode once more
        return lambda data: out.write(data.decode("utf-8"))

    def write(data: bytes) -> None:
        buffer.write(data)
        buffer.flush()  # a reader at the other end of a pipe gets each chunk as it is done

    return write


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


# --- split / analyse ----------------------------------------------------------------------


def _read_page(path: str) -> str:
    """The page's text as sent: UTF-8 (a byte-order mark dropped), line ends untouched, so
    offsets count the same code points a gRPC caller would send."""
    if path == "-":
        if sys.stdin is None:
            raise InvalidInput("stdin is closed: give a page file, or pipe one in", field="PAGE")
        data = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if p.is_dir():
            raise InvalidInput(f"page {path} is a folder: name a text file", field="PAGE")
        if not p.exists():  # /dev/stdin and <(…) are pages too
            raise InvalidInput(f"page file not found: {path}", field="PAGE")
        data = p.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"page {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}): convert it to UTF-8",
            field="PAGE",
        ) from exc


def cmd_split(args: argparse.Namespace) -> int:
    from .pages import article_record, split_page

    raw = _read_page(args.page)
    if not raw.strip():  # as analyse says: an empty page is a mistake, not zero articles
        raise InvalidInput("the page text is empty: give the extracted page text", field="PAGE")
    articles = split_page(raw)
    with _output(args.output, args.page) as out:
        for article in articles:
            out.write(_dump(article_record(article)) + "\n")
        out.flush()
    return 0


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _fit(s: str, width: int) -> str:
    """Cut or pad `s` to `width` terminal columns (CJK characters take two)."""
    out, used = [], 0
    for c in s.replace("\n", " "):
        w = _width(c)
        if used + w > width:
            if out:
                out[-1] = "…"
            break
        out.append(c)
        used += w
    return "".join(out) + " " * (width - min(used, width))


def cmd_analyse(args: argparse.Namespace) -> int:
    from .pages import article_record
    from .pipeline import analyse_page, result_fields

    raw = _read_page(args.page)
    analyses = analyse_page(
        raw,
        _load_classifier(args.model),
        summarise=not args.no_summary,
        max_sentences=args.max_sentences,
        max_chars=args.max_chars,
        explain=args.explain,
        keywords=args.keywords,
        explain_label=args.explain_label,
    )
    with _output(args.output, args.page) as out:
        if args.json:
            for a in analyses:
                # start/end and lead_spans are code points of the page file, as AnalysePage's.
                record = {**article_record(a.article), **result_fields(a), "offsets_into": "page"}
                out.write(_dump(record) + "\n")
        else:
            # review: a desk editor should look at the label (service.review)
            header = (
                f"{'#':>2}  {_fit('title', 36)}  {_fit('label', 10)}  {'conf':>5}  review  lead"
            )
            out.write(header + "\n" + "-" * _width(header) + "\n")
            for i, a in enumerate(analyses, start=1):
                p = a.prediction
                lead = a.lead.text if a.lead is not None else ""
                flag = "yes" if p.review else "no"
                out.write(
                    f"{i:>2}  {_fit(a.article.title, 36)}  {_fit(p.label, 10)}  "
                    f"{p.confidence:5.2f}  {flag:6s}  {lead}\n"
                )
                for name, terms in (("evidence", a.evidence), ("keywords", a.keywords)):
                    if terms is not None:
                        words = dict.fromkeys(t.text for t in terms)  # a term once, any field
                        out.write(f"{'':>4}{name}: {' '.join(words)}\n")
        out.flush()
    return 0


# --- classify / summarise over JSONL -------------------------------------------------------


class _NoProgress:
    """What `_progress` gives when stderr is not a terminal: nothing to draw, nothing imported."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int | None, unit: str):
    if not sys.stderr.isatty():
        return _NoProgress()  # a pipe or file: tqdm would draw nothing (and costs 0.02 s)
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr)


def _bar_on() -> bool:
    """tqdm bars only on a terminal: in a log (`make train > log 2>&1`) every redraw would be
    one more line of carriage returns."""
    return sys.stderr.isatty()


def _line_total(path: str | None) -> int | None:
    """The input's line count for a progress bar's total and ETA: a plain file only (a pipe
    cannot be read twice, a gzip file would be decompressed twice), and only when a terminal
    shows the bar (counting reads the file once more, ~1 s a GB)."""
    if path in (None, "-") or not sys.stderr.isatty() or not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        if f.read(2) == b"\x1f\x8b":
            return None
        f.seek(0)
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))


def _run_records(args: argparse.Namespace, *, classify: bool, summarise: bool) -> int:
    """Stream records through the local pipeline or a server; report rejects, keep going."""
    from .jsonl import Rejected, check_input

    check_input(args.input)  # before any output folder is made for a run that cannot start
    if args.errors == "-" or (args.output in (None, "-") and _is_stdout(args.errors)):
        raise InvalidInput(
            f"--errors {args.errors} would mix the rejects into the results on stdout: name a "
            "file (rejects are also reported on stderr)",
            field="errors",
        )

    rejected = 0
    source = args.input or "-"
    bar = None  # made once the first answers are in: tqdm starts a thread, workers fork first
    chunks = (
        _remote_chunks(args, source, classify=classify, summarise=summarise)
        if args.server
        else _local_chunks(args, source, classify=classify, summarise=summarise)
    )
    with (
        _output(args.output, args.input, args.errors) as out,
        _output(args.errors, args.input, args.output, flag="--errors")
        if args.errors
        else nullcontext() as errors_file,
    ):

        def reject(item: Rejected) -> None:
            nonlocal rejected
            rejected += 1
            _err(f"{item.source}:{item.line}: rejected: {item.reason}")
            if errors_file is not None:
                errors_file.write(_dump(item.as_dict()) + "\n")

        write = _bytes_writer(out)
        try:
            for chunk in chunks:
                for item in chunk.rejected:
                    reject(item)
                if chunk.count:
                    write(chunk.data)
                if bar is None:
                    bar = _progress(_line_total(args.input), "line")
                bar.update(chunk.count + len(chunk.rejected))
            out.flush()
        finally:
            if bar is not None:
                bar.close()
    if rejected:
        _err(f"{rejected} record(s) rejected" + (f"; see {args.errors}" if args.errors else ""))
        return EXIT_REJECTED
    return 0


def _local_chunks(args, source: str, *, classify: bool, summarise: bool) -> Iterator:
    """Answers from this machine: worker processes over chunks of lines for a large input."""
    from .jsonl import live_lines, open_binary
    from .workers import Options, process_lines

    options = Options(
        source=source,
        labels=classify,
        summarise=summarise,
        max_sentences=getattr(args, "max_sentences", 0),
        max_chars=getattr(args, "max_chars", 0),
        batch_size=args.batch_size,
        explain=getattr(args, "explain", 0),
        keywords=getattr(args, "keywords", 0),
        explain_label=getattr(args, "explain_label", None),
    )
    # Leads use the desk label (a commentary's lead is its thesis), so summarise loads the
    # model too, as the server does; only the fields asked for are added.
    classifier = _load_classifier(args.model)
    with open_binary(args.input) as stream:
        # Workers for a file; a pipe may be a live stream, answered in this process as it comes.
        if _is_file(stream):
            yield from process_lines(stream, classifier, options)
        else:
            yield from process_lines(live_lines(stream), classifier, options, processes=1)


def _is_file(stream: IO) -> bool:
    import stat

    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):  # gzip streams: a file underneath
        return True


def _remote_chunks(args, source: str, *, classify: bool, summarise: bool) -> Iterator:
    """Answers from a server, one record at a time; a refused record is a reject, as locally."""
    from .client import NewsdeskClient, remote_results
    from .jsonl import Rejected, open_input, read_records
    from .workers import Chunk

    numbers: deque[int] = deque()  # line numbers of accepted records, answered in order
    early: list[Rejected] = []  # rejected by the reader since the last answer

    def accepted() -> Iterator[Any]:
        with open_input(args.input) as lines:
            for number, item in read_records(lines, source=source):
                if isinstance(item, Rejected):
                    early.append(item)
                    continue
                numbers.append(number)
                yield item

    with NewsdeskClient(args.server, token=args.token) as client:
        for result in remote_results(
            client,
            accepted(),
            classify=classify,
            summarise=summarise,
            max_sentences=getattr(args, "max_sentences", 0),
            max_chars=getattr(args, "max_chars", 0),
            explain=getattr(args, "explain", 0),
            keywords=getattr(args, "keywords", 0),
            explain_label=getattr(args, "explain_label", None),
        ):
            number = numbers.popleft()
            gone, early[:] = list(early), []
            if result.error is not None:  # a server refused this record: a reject, as locally
                gone.append(Rejected(number, result.error.message, source))
                yield Chunk.of([], gone)
            else:
                yield Chunk.of([_dump(result.data)], gone)
    if early:
        yield Chunk.of([], list(early))


def cmd_classify(args: argparse.Namespace) -> int:
    return _run_records(args, classify=True, summarise=False)


def cmd_summarise(args: argparse.Namespace) -> int:
    return _run_records(args, classify=False, summarise=True)


# --- training and evaluation (imports `training` lazily: the runtime never needs it) --------


def cmd_train(args: argparse.Namespace) -> int:
    from training.train import train

    manifest = train(Path(args.data), Path(args.out), seed=args.seed, progress=_bar_on())
    _err(f"model written to {args.out}")
    print(_dump({"model": str(args.out), "metrics": manifest.get("metrics", {})}))
    return 0


def cmd_convert_model(args: argparse.Namespace) -> int:
    from training.convert import convert

    out = convert(Path(args.folder), Path(args.out) if args.out else None)
    _err(f"model converted to the data-only format in {out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from training.evaluate import evaluate, format_summary

    report = evaluate(Path(args.data), Path(args.model or _default_model()), progress=_bar_on())
    print(format_summary(report))
    return 0


def cmd_evaluate_summaries(args: argparse.Namespace) -> int:
    from training.summaries import evaluate_summaries, format_summary

    report = evaluate_summaries(
        Path(args.data), Path(args.out), limit=args.limit, progress=_bar_on()
    )
    print(format_summary(report))
    return 0


def cmd_evaluate_keywords(args: argparse.Namespace) -> int:
    from training.keywords import evaluate_keywords, format_keywords

    report = evaluate_keywords(
        Path(args.data), Path(args.out), model_dir=Path(args.model or _default_model()),
        limit=args.limit,
    )  # fmt: skip
    print(format_keywords(report))
    return 0


# --- serve / batch (their flags live with their modules) ------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import config_from_args, serve

    return serve(config_from_args(args)) or 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import batch_from_args

    summary = batch_from_args(args)
    print(json.dumps(summary, ensure_ascii=False, indent=2), flush=True)
    if summary["stale_outputs"]:
        stale = ", ".join(summary["stale_outputs"])
        _err(f"{args.out} also holds outputs no input of this job made: {stale}")
    for shard in summary["shards_failed"]:
        _err(f"shard {shard['shard']} failed: {shard['reason']}")
    if summary["shards_failed"]:
        _err(f"{len(summary['shards_failed'])} shard(s) failed (reasons above); the others are "
             "written; run again once the cause is fixed: finished shards are skipped")  # fmt: skip
        return 1
    if summary["rejected"]:
        _err(f"{summary['rejected']} record(s) rejected; see {Path(args.out) / '_errors.jsonl'}")
        return EXIT_REJECTED
    return 0


# --- parser ----------------------------------------------------------------------------------


def _lead_option(name: str):
    """An argparse type for a lead bound, checked as the summariser and the server check it."""

    def parse(text: str) -> int:
        from .summariser import check_lead_options

        try:
            value = int(text)
            check_lead_options(**{"max_sentences": 0, "max_chars": 0, name: value})
        except InvalidInput as exc:  # before ValueError, which it is too
            raise argparse.ArgumentTypeError(exc.message) from None
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        return value

    return parse


def _add_lead_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-sentences", type=_lead_option("max_sentences"), default=0, help="0 = default (2)"
    )
    p.add_argument(
        "--max-chars",
        type=_lead_option("max_chars"),
        default=0,
        help="0 = default (120, soft: one sentence may run to 160); a value given is hard",
    )


def _term_count(name: str):
    """An argparse type for `--explain K` / `--keywords K`, checked as the pipeline checks it."""

    def parse(text: str) -> int:
        from .pipeline import check_terms

        try:
            return check_terms(name, int(text))
        except InvalidInput as exc:  # before ValueError, which it is too
            raise argparse.ArgumentTypeError(exc.message) from None
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None

    return parse


def _add_term_options(p: argparse.ArgumentParser, *, label: bool = True) -> None:
    """`--explain [K]`, `--keywords [K]` (K defaults to 5 when the flag is bare; off without)."""
    p.add_argument(
        "--explain",
        type=_term_count("explain"),
        nargs="?",
        const=5,
        default=0,
        metavar="K",
        help="add `evidence`: the K words that most raised the label's logit, with spans "
        "(default K: 5)",
    )
    p.add_argument(
        "--keywords",
        type=_term_count("keywords"),
        nargs="?",
        const=5,
        default=0,
        metavar="K",
        help="add `keywords`: the K top words by TF-IDF, with spans (default K: 5)",
    )
    if label:
        p.add_argument(
            "--explain-label", metavar="LABEL", help="evidence for this label, not the predicted"
        )


def _add_record_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", nargs="?", default="-", help="JSONL input (default stdin; .gz ok)")
    p.add_argument("-o", "--output", default="-", help="JSONL output (default stdout)")
    p.add_argument("--errors", help="write rejected records (line, reason) to this JSONL file")
    p.add_argument("--model", help="model folder (default models/desk or $NEWSDESK_MODEL)")
    p.add_argument(
        "--batch-size",
        type=_at_least_one,
        default=256,
        help="records per model call (default and most: 256, the lines a worker's chunk holds)",
    )
    p.add_argument("--server", help="HOST:PORT of a running newsdesk server to use instead")
    p.add_argument(
        "--token",
        default=os.environ.get("NEWSDESK_TOKEN"),
        help="bearer token for --server (env NEWSDESK_TOKEN, which `ps` does not show)",
    )


class _ServeHelp(argparse.ArgumentDefaultsHelpFormatter):
    """Serve flags show their defaults (often from NEWSDESK_* variables), but not a secret's."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return action.help if action.dest == "token" else super()._get_help_string(action)


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; serve and batch get their own flags only when `command` is theirs, so that
    `newsdesk classify` never imports grpc or dask."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="Label Chinese news articles by desk and write their leads.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("split", help="split a raw newspaper page into articles (JSONL)")
    p.add_argument("page", help="page text file, or - for stdin")
    p.add_argument("-o", "--output", default="-")
    p.set_defaults(func=cmd_split)

    p = sub.add_parser("analyse", help="a page's articles with label, confidence and lead")
    p.add_argument("page", help="page text file, or - for stdin")
    p.add_argument("--json", action="store_true", help="JSON Lines instead of a table")
    p.add_argument("--model", help="model folder (default models/desk)")
    p.add_argument("--no-summary", action="store_true", help="skip the leads")
    p.add_argument("-o", "--output", default="-")
    _add_lead_options(p)
    _add_term_options(p)
    p.set_defaults(func=cmd_analyse)

    p = sub.add_parser("classify", help="add label and scores to JSONL records")
    _add_record_options(p)
    _add_term_options(p)
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("summarise", help="add lead and lead_spans to JSONL records")
    _add_record_options(p)
    _add_lead_options(p)
    p.set_defaults(func=cmd_summarise)

    p = sub.add_parser("train", help="train the desk classifier (writes the folder atomically)")
    p.add_argument(
        "--data",
        default=DEFAULT_DATA,
        help="corpus folder (default ../shared/data beside the repository, or $NEWSDESK_DATA)",
    )
    p.add_argument("--out", default=None, help="model folder to write (default models/desk)")
    p.add_argument("--seed", type=int, default=13)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "convert-model",
        help="convert a pickled model folder you trust (model.joblib) to model.npz",
    )
    p.add_argument("folder", help="model folder holding model.joblib and manifest.json")
    p.add_argument("--out", default=None, help="write a converted copy here (default: in place)")
    p.set_defaults(func=cmd_convert_model)

    p = sub.add_parser("evaluate", help="evaluate a model on dev and gold dev, with the baseline")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--model", default=None)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("evaluate-summaries", help="ROUGE of our leads against the baselines")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--out", default="build/summaries")
    p.add_argument("--limit", type=int, default=None, help="evaluate on the first N docs only")
    p.set_defaults(func=cmd_evaluate_summaries)

    p = sub.add_parser(
        "evaluate-keywords", help="our keywords vs jieba and TextRank4ZH against 核心阅读"
    )
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--model", default=None)
    p.add_argument("--out", default="build/keywords")
    p.add_argument("--limit", type=_at_least_one, default=None, help="the first N articles only")
    p.set_defaults(func=cmd_evaluate_keywords)

    p = sub.add_parser(
        "serve",
        help="run the gRPC server",
        formatter_class=_ServeHelp,
    )
    p.set_defaults(func=cmd_serve)
    if command == "serve":
        from .server import add_serve_arguments

        add_serve_arguments(p)

    p = sub.add_parser("batch", help="run JSONL shards on local processes or a Dask cluster")
    p.set_defaults(func=cmd_batch)
    if command == "batch":
        from .batch import add_batch_arguments

        add_batch_arguments(p)
        _add_term_options(p, label=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in RECORD_COMMANDS:
        # These run a worker process per core and multiply only tiny matrices; OpenBLAS's
        # helper threads would spin idle (0.1 s of CPU per run, taken from the workers).
        # Set before numpy loads; a caller's own setting wins.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    if getattr(args, "command", None) != "serve":  # the server drains on SIGTERM its own way
        # SIGTERM (kill, a scheduler's stop) unwinds like Ctrl-C: workers are stopped and
        # half-written outputs removed, instead of the process vanishing mid-write.
        signal.signal(signal.SIGTERM, _terminated)
    if getattr(args, "command", None) == "train" and args.out is None:
        args.out = _default_model()
    try:
        code = args.func(args)
        # The process ends now: frozen, its objects are not traced once more by the collection
        # that interpreter shutdown runs (0.02 s after a run with a model loaded).
        gc.freeze()
        return code
    except NewsdeskError as exc:
        _err(f"newsdesk {args.command}: {type(exc).__name__}: {exc.message}")
        return _exit_code(exc)
    except _Terminated:
        _err("terminated")
        return 143
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file that cannot be read or written, a corrupt gzip stream
        _err(f"newsdesk {args.command}: {exc}")
        return 1
    except EOFError as exc:  # gzip's word for a truncated stream
        _err(f"newsdesk {args.command}: the input ends early, a truncated gzip file? ({exc})")
        return 1


if __name__ == "__main__":
    sys.exit(main())
