"""`classify` and `summarise`: JSONL records through local workers or a server, rejects reported."""

from __future__ import annotations

import argparse
import os
from collections import deque
from collections.abc import Iterator
from contextlib import nullcontext
from typing import IO, Any

from ..errors import InvalidInput
from .common import EXIT_REJECTED, _asked, _dump, _err, _from_terminal, _load_classifier
from .output import _bytes_writer, _is_stdout, _line_total, _output, _progress, check_output

# A record's own `label` is replaced by the model's (the output is the caller's object with our
# fields set); said once a run, so that a gold label is never lost without a word.
RELABELLED = (
    "note: {n} record(s) came with a `label` of their own; the output's `label` is the model's "
    "(rename the field, e.g. to `gold`, to keep yours beside it)"
)
# Ids are the caller's: never checked for uniqueness, but a repeat is said once a run.
REPEATED = (
    "note: {n} record(s) repeat the `id` of an earlier record (the first: line {line}, id "
    "{rid}); each was answered as sent, in input order: give every record its own id to join "
    "the output on it"
)
# Text whose Chinese comes as HTML character references reads as no Chinese (thin_text, no lead).
ESCAPED = (
    "note: {n} record(s) write Chinese characters as HTML character references (`&#22269;`), "
    "which are read as written, not as the characters: unescape them first (Python's "
    "html.unescape) for a label and a lead that read the text"
)
# A run remembers the hashes of this many ids (~70 MB), then stops looking: a classify run of
# millions of records should not grow without bound for a note.
IDS_REMEMBERED = 1 << 20


def _run_records(args: argparse.Namespace, *, classify: bool, summarise: bool) -> int:
    """Stream records through the local pipeline or a server; report rejects, keep going."""
    from ..jsonl import Rejected, check_input, json_text

    check_input(args.input)  # before any output file is begun for a run that cannot start
    check_output(args.output)
    check_output(args.errors, "--errors")
    if args.errors == "-" or (args.output in (None, "-") and _is_stdout(args.errors)):
        raise InvalidInput(
            f"--errors {args.errors} would mix the rejects into the results on stdout: name a "
            "file (rejects are also reported on stderr)",
            field="errors",
        )
    _from_terminal(args.input, "JSONL records", args.command)

    rejected = relabelled = repeated = answered = unfit = escaped = 0
    seen: set[int] = set()  # hashes of the ids so far (an integer as its string, as rejects say)
    first_repeat: tuple[int, str] | None = None
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
            _err(f"{item.where}: rejected: {item.reason}")
            if errors_file is not None:
                errors_file.write(json_text(item.as_dict()) + "\n")

        write = _bytes_writer(out)
        writing = 0  # records of the chunk being written, should a stop cut it short
        try:
            for chunk in chunks:
                for item in chunk.rejected:
                    reject(item)
                if chunk.count:
                    writing = chunk.count
                    write(chunk.data)
                    writing = 0
                answered += chunk.count
                relabelled += chunk.relabelled
                unfit += chunk.no_fit
                escaped += chunk.escaped
                for line, rid in chunk.ids:
                    key = hash(rid)  # a 64-bit hash: a false repeat once in ~10^7 runs of 10^6
                    if key in seen:
                        repeated += 1
                        first_repeat = first_repeat or (line, rid)
                    elif len(seen) < IDS_REMEMBERED:
                        seen.add(key)
                if bar is None:
                    bar = _progress(_line_total(args.input), "line")
                bar.update(chunk.count + len(chunk.rejected))
            out.flush()
        except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM: say what the output holds
            stop.add_note(_written(args, answered, rejected, writing))
            raise
        finally:
            # Workers stopped now, not by the generator's finaliser at interpreter exit, whose
            # pool shutdown met closed pipes: an output that failed (ENOSPC, EFBIG) mid-run
            # printed an "Exception ignored ... Bad file descriptor" traceback under its error.
            chunks.close()
            if bar is not None:
                bar.close()
    if relabelled:
        _err(RELABELLED.format(n=relabelled))
    if unfit:  # counted in the workers, chunk by chunk (or from a server's `warnings`)
        from ..summariser import no_fit_note

        _err(no_fit_note(unfit, answered, getattr(args, "max_chars", 0)))
    if escaped:
        _err(ESCAPED.format(n=escaped))
    if first_repeat:
        line, rid = first_repeat
        rid = json_text(rid if len(rid) <= 200 else rid[:199] + "…")
        _err(REPEATED.format(n=repeated, line=line, rid=rid))
    if rejected:
        # (exit 3 all the same: the run read its input; each line says why it was refused)
        none = "" if answered else ", none processed"
        _err(
            f"{rejected} record(s) rejected{none}" + (f"; see {args.errors}" if args.errors else "")
        )
        return EXIT_REJECTED
    if not answered:  # an empty input is an answer (exit 0), never a silent one
        where = "standard input" if source == "-" else source
        _err(f"no records in {where}: it holds no line that is not blank")
    return 0


def _written(args: argparse.Namespace, answered: int, rejected: int, writing: int) -> str:
    """What a stopped run's output holds: an -o file is left as it was; stdout, a FIFO or a
    descriptor keep the records written so far, in input order, which a rerun must skip."""
    from pathlib import Path

    from .output import _in_place

    rejects = f" ({rejected:,} rejected)" if rejected else ""
    if args.output not in (None, "-") and not _in_place(Path(args.output))[0]:
        kept = "left as it was" if Path(args.output).exists() else "not made"
        return (f"--output {args.output} {kept}; the {answered:,} record(s) answered so far"
                f"{rejects} were not kept")  # fmt: skip
    where = "standard output" if args.output in (None, "-") else args.output
    cut = (f", then part of the next {writing:,}: its last line may be unfinished"
           if writing else "")  # fmt: skip
    return (f"{answered:,} record(s) written whole to {where}{rejects}, the input's first "
            f"ones in order{cut}; the records after them were not answered")  # fmt: skip


def _local_chunks(args, source: str, *, classify: bool, summarise: bool) -> Iterator:
    """Answers from this machine: worker processes over chunks of lines for a large input."""
    from ..jsonl import bounded_lines, live_lines, open_binary
    from ..workers import Options, process_lines

    options = Options(
        source=source,
        labels=classify,
        summarise=summarise,
        batch_size=args.batch_size,
        explain_label=getattr(args, "explain_label", None),
        **_asked(args),
    )
    # Leads use the desk label (a commentary's lead is its thesis), so summarise loads the
    # model too, as the server does; only the fields asked for are added.
    classifier = _load_classifier(args.model)
    with open_binary(args.input) as stream:
        # Workers for a file; a pipe may be a live stream, answered in this process as it comes.
        if _is_file(stream):
            yield from process_lines(bounded_lines(stream), classifier, options)
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
    from ..jsonl import Rejected, bounded_lines, open_input, own_id, read_records
    from ..rpc import NewsdeskClient, remote_results
    from ..summariser import no_fit
    from ..workers import Chunk, escaped_record

    if args.tls_ca and not os.path.isfile(args.tls_ca):
        raise InvalidInput(f"--tls-ca {args.tls_ca}: no such file", field="tls_ca")
    numbers: deque[tuple[int, str | None]] = deque()  # accepted records' lines and ids, in order
    early: list[Rejected] = []  # rejected by the reader since the last answer
    own: set[int] = set()  # line numbers of accepted records holding a `label` of their own
    escapes: set[int] = set()  # ... and of those writing Chinese as `&#22269;`

    def accepted() -> Iterator[Any]:
        with open_input(args.input) as lines:
            for number, item in read_records(bounded_lines(lines), source=source):
                if isinstance(item, Rejected):
                    early.append(item)
                    continue
                numbers.append((number, own_id(item.data)))
                if classify and "label" in item.data:
                    own.add(number)
                if escaped_record(item):
                    escapes.add(number)
                yield item

    # A server out of reach is the client's RemoteError, saying what to check (TLS included).
    with NewsdeskClient(args.server, token=args.token, tls_ca=args.tls_ca) as client:
        for result in remote_results(
            client,
            accepted(),
            classify=classify,
            summarise=summarise,
            explain_label=getattr(args, "explain_label", None),
            **_asked(args),
        ):
            number, rid = numbers.popleft()
            mine, escaped = number in own, number in escapes
            own.discard(number)
            escapes.discard(number)
            # The reader runs ahead of the answers: only its rejects of earlier lines go now,
            # so rejects come in line order, as the local run reports them.
            gone = [item for item in early if item.line < number]
            early[:] = [item for item in early if item.line > number]
            ids = [(number, str(result.data["id"]))] if result.data.get("id") is not None else []
            if result.error is not None:  # a server refused this record: a reject, as locally
                gone.append(Rejected(number, result.error.message, source, rid))
                yield Chunk.of([], gone, ids=ids)
            else:
                empty = result.data.get("lead") == "" and no_fit(result.data.get("warnings"))
                yield Chunk.of([_dump(result.data)], gone, int(mine), ids, int(empty), int(escaped))
    if early:
        yield Chunk.of([], list(early))


def cmd_classify(args: argparse.Namespace) -> int:
    return _run_records(args, classify=True, summarise=False)


def cmd_summarise(args: argparse.Namespace) -> int:
    return _run_records(args, classify=False, summarise=True)
