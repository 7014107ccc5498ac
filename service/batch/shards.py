"""One shard: its name, where its inputs come from, and the task that labels it.

`process_shard` is the unit every runner calls (this process, a local worker, a Dask worker),
so the output is byte-identical however the job runs.
"""

from __future__ import annotations

import contextlib
import glob
import gzip
import io
import os
import socket
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from service.atomic import atomic_write
from service.errors import InvalidInput, NotJsonLines, ShardError
from service.jsonl import (
    Rejected,
    bounded_lines,
    decompressed,
    head_note,
    read_records,
)
from service.pipeline import BATCH_CHARS, Record, labelled_lines
from service.pool import cached_classifier
from service.validation import MAX_PAGE_CHARS, parse_page, parse_record

__all__ = [
    "CHUNK",
    "CHUNK_CHARS",
    "ERRORS",
    "NO_ARTICLE",
    "SUMMARY",
    "STATE",
    "ShardJob",
    "ShardResult",
    "expand_inputs",
    "expand_shards",
    "process_shard",
    "shard_name",
]

CHUNK = 256  # records per predict call: vectorised, yet a shard never sits in memory whole
# A chunk also closes at this many characters of text (the pipeline's budget for a batch).
CHUNK_CHARS = BATCH_CHARS
ERRORS = "_errors.jsonl"
NO_ARTICLE = "_pages_no_article.jsonl"  # --pages: the pages that gave no article
SUMMARY = "_summary.json"
STATE = "_shards"  # one small JSON per completed shard: what resume and the summary read
_RESERVED = {Path(ERRORS).stem, Path(NO_ARTICLE).stem, Path(SUMMARY).stem, STATE}
GZIP_LEVEL = 6  # zlib's default: JSONL with leads 2.8x smaller for ~1% of labelling's time
_SUFFIXES = (".jsonl", ".ndjson", ".json")
_FOLDER_SUFFIXES = (".jsonl", ".ndjson")  # what a folder given as input contributes
# What a damaged compressed shard raises while it is read: that shard fails, the job goes on.
_UNREADABLE = (EOFError, zlib.error, gzip.BadGzipFile)


def shard_name(path: str | Path) -> str:
    """The output name of an input shard: its file name without `.gz` and `.jsonl`."""
    name = Path(path).name
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _base(text: str) -> str:
    """The folder an input's shards are named from with `tree`: a folder itself, a glob's part
    before its first wildcard, a file's folder. From the argument, not from what it matches:
    a glob matching one more file tomorrow leaves today's names (and their resume) as they are."""
    if Path(text).is_dir():
        return os.path.abspath(text)
    if not Path(text).is_file() and glob.has_magic(text):
        parts = Path(text).parts
        fixed = next(i for i, part in enumerate(parts) if glob.has_magic(part))
        return os.path.abspath(Path(*parts[:fixed]) if fixed else ".")
    return os.path.dirname(os.path.abspath(text))


def _in_folder(folder: Path, recursive: bool) -> list[Path]:
    """A folder input's *.jsonl and *.ndjson (gzipped or not); `recursive`: at every depth, no
    hidden folder entered (.git, editors' and tools' folders)."""
    files = [] if recursive else list(folder.iterdir())
    if recursive:
        for root, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # (os.walk enters what is left)
            files += [Path(root, name) for name in names]
    return sorted(
        p
        for p in files
        if p.is_file()
        and not p.name.startswith(".")  # editors' swap and backup files
        and p.name.removesuffix(".gz").endswith(_FOLDER_SUFFIXES)
    )


def expand_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Resolve files, globs and folders (their *.jsonl[.gz]) to shard paths, in the order given."""
    return [path for _, path in expand_shards(inputs)]


def expand_shards(
    inputs: Sequence[str | Path] | str | Path, *, tree: bool = False, recursive: bool = False
) -> list[tuple[str, Path]]:
    """(output name, path) of every shard, in the order given. `tree`: a shard is named by its
    path below the inputs' common folder (`2019/01`), so files of one name in several folders
    are one job; else by its file name alone. `recursive`: folders are searched at every depth
    and a glob's `**` spans folders."""
    if isinstance(inputs, str | Path):
        inputs = [inputs]
    paths: list[Path] = []
    bases: list[str] = []
    for item in inputs:
        text = str(item)
        bases.append(_base(text))
        if Path(text).is_dir():
            found = _in_folder(Path(text), recursive)
            if not found:
                raise InvalidInput(
                    f"folder {text} holds no .jsonl or .ndjson files (gzipped or not); pass the "
                    "files or a glob",
                    field="inputs",
                )
        elif Path(text).is_file():  # before globbing: a real name may hold [ or *
            found = [Path(text)]
        elif glob.has_magic(text):
            found = [
                Path(p) for p in sorted(glob.glob(text, recursive=recursive)) if Path(p).is_file()
            ]
            if not found:
                raise InvalidInput(f"no file matches {text}; check the pattern", field="inputs")
        elif Path(text).exists() or text == "-":  # a FIFO, <(…), stdin: "does not exist"
            raise InvalidInput(
                f"input {text} is not a regular file (a pipe or a device): a shard is a file, "
                "read again on resume; save it to a file first, or pipe it to `newsdesk classify`",
                field="inputs",
            )
        else:
            raise InvalidInput(f"input {text} does not exist; check the path", field="inputs")
        paths.extend(found)
    if not paths:
        raise InvalidInput("no input given; pass JSONL files or globs", field="inputs")
    # One shard per file (a glob may overlap another), named as given: a symlink's own name.
    unique: dict[Path, Path] = {}
    for p in paths:
        unique.setdefault(p.resolve(), p.absolute())
    root = os.path.commonpath(bases) if tree else ""
    names: dict[str, Path] = {}
    for path in unique.values():
        name = shard_name(path)
        if tree:  # (a name's folders as they stand, a symlinked folder's own name too)
            name = os.path.join(os.path.relpath(path.parent, root), name).removeprefix("./")
        if name.split("/")[0] in _RESERVED or any(c.startswith(".") for c in name.split("/")):
            raise InvalidInput(
                f"input {path} would be written as {name}.jsonl, a name newsdesk reserves; "
                "rename the file",
                field="inputs",
            )
        if name in names:
            raise InvalidInput(
                f"inputs {names[name]} and {path} would both be written as {name}.jsonl; "
                "rename one, run them as separate jobs, or name shards by their folders "
                "(--keep-tree)",
                field="inputs",
            )
        names[name] = path
    return list(names.items())


def _open_shard(
    stack: contextlib.ExitStack, source: str | None, data: bytes | None
) -> tuple[io.BufferedIOBase, Callable[[], float]]:
    """The shard's decompressed bytes, and a function giving the fraction of input consumed."""
    if data is not None:
        raw: io.BufferedIOBase = io.BufferedReader(io.BytesIO(data))
        size = len(data)
    else:
        raw = stack.enter_context(open(source, "rb"))
        size = os.fstat(raw.fileno()).st_size

    def fraction() -> float:
        return raw.tell() / size if size else 1.0

    stream = decompressed(raw)  # gzip by content, as every command reads input
    if stream is not raw:
        stack.enter_context(stream)
    return stream, fraction


@contextlib.contextmanager
def _packed(raw: io.BufferedIOBase, job: ShardJob) -> Iterator[io.BufferedIOBase]:
    """`raw`, or with `gzip` a compressor over it whose bytes depend on the records alone: no
    time in the header (mtime 0) and the output's own name, not its temporary one."""
    if not dict(job.options).get("gzip"):
        yield raw
        return
    with gzip.GzipFile(job.output, "wb", compresslevel=GZIP_LEVEL, fileobj=raw, mtime=0) as fh:
        yield fh


@dataclass(frozen=True)
class ShardJob:
    """Everything a worker needs to run one shard; small and picklable."""

    name: str
    source: str  # absolute path of the input, as the client sees it
    model: str
    model_key: str
    options: tuple[tuple[str, object], ...]  # summarise, max_sentences, max_chars, explain…
    out_dir: str | None = None  # None: return the output to the client (--gather)
    data: bytes | None = None  # --gather: the shard's bytes, read by the client

    @property
    def output(self) -> str:
        """The output's path in the folder: `<name>.jsonl`, `.jsonl.gz` with `gzip`."""
        return f"{self.name}.jsonl" + (".gz" if dict(self.options).get("gzip") else "")


@dataclass(frozen=True)
class ShardResult:
    """Counts and rejected lines of one completed shard, plus its output when gathered."""

    name: str
    records_in: int
    records_out: int
    labels: dict[str, int]
    errors: tuple[tuple[int, str, str | None], ...]  # line, reason, the record's id
    seconds: float
    output: bytes | None = field(default=None, repr=False)
    failed: str = ""  # why the shard could not be done; nothing of it was published
    no_fit: int = 0  # empty leads: no whole sentence fits max_chars (`summariser.no_fit`)
    no_article: tuple[tuple[int, str | None, list], ...] = ()  # --pages: line, id, warnings
    warned: int = 0  # --pages: pages with warnings (`page_warnings` on each of their lines)

    @classmethod
    def failure(
        cls, name: str, why: str, *, records_in: int = 0, seconds: float = 0.0
    ) -> ShardResult:
        return cls(name, records_in, 0, {}, (), seconds, failed=why)


def process_shard(
    job: ShardJob, progress: Callable[[int, float], None] | None = None
) -> ShardResult:
    """Run one shard: read, validate, analyse in chunks, publish atomically; the task unit."""
    started = time.perf_counter()
    options = dict(job.options)
    classifier = cached_classifier(job.model, job.model_key)
    stack = contextlib.ExitStack()
    try:
        raw, fraction = _open_shard(stack, job.source if job.data is None else None, job.data)
    except FileNotFoundError as e:
        raise ShardError(
            f"{job.source} not found on {socket.gethostname()}: workers read inputs from a "
            "path they share with the client; use a shared filesystem or --gather",
            field="inputs",
        ) from e
    if note := head_note(raw):  # (refused whole, as every command does; the others go on)
        stack.close()
        return ShardResult.failure(job.name, f"{job.source} {note}")
    labels: dict[str, int] = {}
    errors: list[tuple[int, str, str | None]] = []
    seen = {"in": 0, "out": 0, "no_fit": 0, "warned": 0}
    empty: list[tuple[int, str | None, list]] = []  # --pages: pages with no article
    pages = bool(options.get("pages"))  # each line a page: its articles are written, a line each
    # (the page limit, as a page file's: a record's is the same number, but not the same rule)
    parse = dict(parse=parse_page, max_chars=MAX_PAGE_CHARS) if pages else dict(parse=parse_record)

    def records(lines: Iterator[str]) -> Iterator[tuple[int, Record]]:
        # jsonl.read_records validates (through validation.parse_record): one place decides.
        for number, item in read_records(lines, source=job.name, **parse):
            seen["in"] += 1
            if isinstance(item, Rejected):
                errors.append((item.line, item.reason, item.id))
            else:
                yield number, item

    def write(out: io.BufferedWriter) -> None:
        # utf-8-sig drops a byte-order mark; bytes that are not UTF-8 get the line refused, as
        # in every other command (jsonl.decode_lines).
        # Universal newlines, as every other command reads lines (a lone \r ends one too).
        lines = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape")
        # Lines written straight from the batch's arrays (as `newsdesk classify` writes them):
        # the same bytes as json.dumps of process_records' objects.
        asked = dict(
            summarise=bool(options["summarise"]),
            max_sentences=int(options["max_sentences"]),
            max_chars=int(options["max_chars"]),
            explain=int(options.get("explain", 0)),
            keywords=int(options.get("keywords", 0)),
        )
        items = records(bounded_lines(lines))  # (a line of gigabytes is refused, never held)
        if pages:
            from service.batch.pages import page_results

            results = page_results(items, classifier, asked, seen, errors, empty)
        else:
            results = labelled_lines((r for _, r in items), classifier, batch_size=CHUNK, **asked)
        block: list[str] = []
        held = 0  # characters in `block`: it is written at CHUNK lines or CHUNK_CHARS
        for label, line, unfit in results:
            labels[label] = labels.get(label, 0) + 1
            seen["no_fit"] += unfit
            block.append(line + "\n")
            held += len(line)
            if len(block) >= CHUNK or held >= CHUNK_CHARS:
                out.write("".join(block).encode("utf-8"))
                seen["out"] += len(block)
                if progress is not None:
                    progress(len(block), fraction())
                block.clear()
                held = 0
        out.write("".join(block).encode("utf-8"))
        seen["out"] += len(block)
        if progress is not None and block:
            progress(len(block), fraction())

    with stack:
        try:
            if job.out_dir is None:
                buffer = io.BytesIO()
                with _packed(buffer, job) as fh:
                    write(fh)
                output: bytes | None = buffer.getvalue()
            else:
                target = Path(job.out_dir) / job.output
                target.parent.mkdir(parents=True, exist_ok=True)  # (a --keep-tree name's too)
                with atomic_write(target, fsync=True) as raw_out, _packed(raw_out, job) as fh:
                    write(fh)
                output = None
        except NotJsonLines as e:  # a CSV or text file among the shards: that one alone
            return ShardResult.failure(job.name, f"{job.source} {e.note}", records_in=seen["in"],
                                       seconds=time.perf_counter() - started)  # fmt: skip
        except _UNREADABLE as e:  # this shard's data, not the job: the other shards go on
            return ShardResult.failure(
                job.name,
                f"{job.source} unreadable after {seen['in']} records ({type(e).__name__}: {e}); "
                "is it a truncated or corrupt gzip file?",
                records_in=seen["in"],
                seconds=time.perf_counter() - started,
            )
        except OSError as e:  # a full disk, a lost mount: name the shard's input and output
            target = f"{job.out_dir}/{job.output}" if job.out_dir else "(gathered)"
            return ShardResult.failure(
                job.name,
                f"{job.source} -> {target}: {e.strerror or e}"
                + (f" ({e.filename})" if e.filename else "")
                + f", after {seen['in']} records",
                records_in=seen["in"],
                seconds=time.perf_counter() - started,
            )
    return ShardResult(
        name=job.name,
        records_in=seen["in"],
        records_out=seen["out"],
        labels=labels,
        errors=tuple(
            sorted(errors, key=lambda e: e[0])
        ),  # (a page's split fails after its chunk is read)
        seconds=time.perf_counter() - started,
        output=output,
        no_fit=seen["no_fit"],
        no_article=tuple(empty),
        warned=seen["warned"],
    )
