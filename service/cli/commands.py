"""The commands over pages, models and jobs: split, analyse, train, evaluate, serve, batch."""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from contextlib import nullcontext
from pathlib import Path

from ..errors import InvalidInput
from .common import (
    EXIT_REJECTED,
    _asked,
    _default_model,
    _dump,
    _err,
    _from_terminal,
    _load_classifier,
)
from .output import _bar_on, _batch_progress, _output, check_output

# --- split / analyse ----------------------------------------------------------------------


def _read_page(path: str, command: str) -> str:
    """The page's text as sent: UTF-8 (a byte-order mark dropped; gzip opened by content), line
    ends untouched, so offsets count the same code points a gRPC caller would send.

    At most MAX_PAGE_CHARS, as a server's AnalysePage: a page of a million characters takes
    ~400 MB to read, and a small gzip could unpack to gigabytes; no more bytes than such a
    page can hold are read or unpacked."""
    from ..jsonl import decompressed
    from ..validation import MAX_PAGE_CHARS, check_not_records, whole_file_note

    most = 4 * MAX_PAGE_CHARS + 3  # (UTF-8: up to 4 bytes a character, and a byte-order mark)
    if path == "-":
        if sys.stdin is None:
            raise InvalidInput("stdin is closed: give a page file, or pipe one in", field="PAGE")
        _from_terminal(path, "a page's text", command)
        raw = nullcontext(sys.stdin.buffer)  # (read, not closed)
    else:
        p = Path(path)
        if p.is_dir():
            raise InvalidInput(f"page {path} is a folder: name a text file", field="PAGE")
        if not p.exists():  # /dev/stdin and <(…) are pages too
            raise InvalidInput(f"page file not found: {path}", field="PAGE")
        raw = p.open("rb")
    with raw as fh, decompressed(fh) as stream:  # gzip by content, as every input (README)
        data = stream.read(most + 1)  # a corrupt or cut gzip: OSError / EOFError, exit 1
    over = f"page {path} has more than {MAX_PAGE_CHARS} characters"
    if len(data) > most:
        raise InvalidInput(f"{over} (past {most} bytes): split it into pages", field="PAGE")
    if (note := whole_file_note(data[:6])) and not note.startswith("is UTF-16"):
        raise InvalidInput(f"page {path} {note}", field="PAGE")  # xz, zip: not a GBK page
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # the likely encoding: GBK, unless a UTF-16 mark opens it
        was = "UTF-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "GB18030"
        raise InvalidInput(
            f"page {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}): convert it to UTF-8, e.g. iconv -f {was} -t UTF-8 IN > OUT",
            field="PAGE",
        ) from exc
    if len(text) > MAX_PAGE_CHARS:
        raise InvalidInput(f"{over} ({len(text)}): split it into pages", field="PAGE")
    check_not_records(text, field="PAGE")
    return text


def _none_found(articles) -> None:
    """Zero articles is an answer (exit 0), but never a silent one."""
    if not articles:
        _err(
            "no article found on the page: every line was read as page furniture (headers, "
            "credits, jumps) or no line reads as a title over body text"
        )


def _page_warnings(raw: str) -> None:
    """A note on the page as a whole (columns side by side: `service.side_by_side`) goes to
    stderr, as AnalysePage's `warnings` (`Page.warnings`): the records stay one article a
    line. (Asked of the text, not of `read_page`: a long page is not kept, nor read twice.)"""
    from ..side_by_side import warning

    if note := warning(raw):
        _err(f"warning: {note}")


def cmd_split(args: argparse.Namespace) -> int:
    from ..pages import article_record, split_page
    from ..validation import check_page

    raw = check_page(_read_page(args.page, args.command), field="PAGE")  # (as analyse reads it)
    articles = split_page(raw)
    _none_found(articles)
    _page_warnings(raw)
    with _output(args.output, args.page) as out:
        for article in articles:
            out.write(_dump(article_record(article)) + "\n")
        out.flush()
    return 0


def _width(s: str) -> int:
    """Terminal columns: CJK characters take two; a zero-width space, joiner or combining mark
    none (a title may hold them: counted as one, they pushed its row's columns left)."""
    return sum(
        0
        if unicodedata.category(c) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(c) in "WF"
        else 1
        for c in s
    )


def _shown(s: str) -> str:
    """`s` for a terminal: white space (a tab, a line end) as one space, any other control
    character as its escape (\\x1b, \\x07): printed raw, a page's ESC[31m coloured the terminal
    and a BEL rang it. Only the table shows this; --json, like gRPC and HTTP, keeps the text
    exact (JSON escapes them), so spans still slice it."""
    return "".join(
        " "
        if c.isspace()
        else c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c) == "Cc"
        else c
        for c in s
    )


def _fit(s: str, width: int) -> str:
    """Cut or pad `s` to `width` terminal columns (CJK characters take two); a tab or other
    white space shows as one space, as a line end does (a tab jumped to the next stop)."""
    out, used = [], 0
    for c in _shown(s):
        w = _width(c)
        if used + w > width:
            while out and used + 1 > width:  # room for the one-column "…"
                used -= _width(out.pop())
            out.append("…")
            used += 1
            break
        out.append(c)
        used += w
    return "".join(out) + " " * (width - min(used, width))


def cmd_analyse(args: argparse.Namespace) -> int:
    from ..pipeline import analyse_page, page_fields

    raw = _read_page(args.page, args.command)
    check_output(args.output)  # before the model is loaded and the page read
    classifier = _load_classifier(args.model)
    analyses = analyse_page(
        raw,
        classifier,
        summarise=not args.no_summary,
        explain_label=args.explain_label,
        **_asked(args),
    )
    _none_found(analyses)
    _page_warnings(raw)
    with _output(args.output, args.page, table=not args.json) as out:
        if args.json:
            for a in analyses:
                out.write(_dump(page_fields(a)) + "\n")  # (as `batch --pages` writes it)
        else:
            # review: a desk editor should look at the label (service.review)
            header = (
                f"{'#':>2}  {_fit('title', 36)}  {_fit('label', 10)}  {'conf':>5}  review  lead"
            )
            out.write(header + "\n" + "-" * _width(header) + "\n")
            for i, a in enumerate(analyses, start=1):
                p = a.prediction
                lead = a.lead.text if a.lead is not None else ""
                if not lead and a.warnings:  # an empty lead says why, as in --json
                    lead = "(" + "; ".join(a.warnings) + ")"
                flag = "yes" if p.review else "no"
                out.write(
                    f"{i:>2}  {_fit(a.article.title, 36)}  {_fit(p.label, 10)}  "
                    f"{p.confidence:5.3f}  {flag:6s}  {_shown(lead)}\n"
                )
                for name, terms in (("evidence", a.evidence), ("keywords", a.keywords)):
                    if terms is not None:
                        words = dict.fromkeys(t.text for t in terms)  # a term once, any field
                        out.write(f"{'':>4}{name}: {_shown(' '.join(words))}\n")
        out.flush()
    if not args.json and any(a.prediction.review for a in analyses):
        _err(_review_note(analyses, classifier.thresholds))
    return 0


def _under_one(x: float) -> str:
    """`x` to three decimals, or as many more as it takes not to read 1.000: a threshold of
    0.9995 is one a confidence can be under."""
    return next(s for d in range(3, 8) if (s := f"{x:.{d}f}") != f"{1:.{d}f}" or d == 7)


def _review_note(analyses, thresholds: dict[str, float]) -> str:
    """Why each row says review: yes, and the labels' thresholds (stderr, under the table: the
    table stays one row each). A row's confidence and its threshold get as many decimals as it
    takes to tell them apart: 0.9990 under 0.9994 must not read as 0.999 under 0.999."""
    cuts = ", ".join(f"{label} {_under_one(cut)}" for label, cut in sorted(thresholds.items()))
    lines = ["review yes: an editor should look at the label of"]
    for i, a in enumerate(analyses, start=1):
        p = a.prediction
        if not p.review:
            continue
        why = []
        cut = thresholds.get(p.label)
        if "low_score" in p.review_reasons and cut is not None:
            places = next((d for d in range(3, 7) if f"{p.confidence:.{d}f}" != f"{cut:.{d}f}"), 6)
            places = max(places, len(_under_one(cut)) - 2)  # 0.932 under 0.9995, not 1.000
            why.append(
                f"confidence {p.confidence:.{places}f} under {p.label}'s threshold "
                f"{cut:.{places}f} (low_score)"
            )
        if "thin_text" in p.review_reasons:
            why.append("the text is too short or too foreign to file (thin_text)")
        lines.append(f"  row {i}: " + ("; ".join(why) or ", ".join(p.review_reasons)))
    return "\n".join(lines) + (f"\nthresholds: {cuts}" if cuts else "")


# --- training and evaluation (imports `training` lazily: the runtime never needs it) --------


def _steps_shown() -> bool | str:
    """train's and evaluate's steps take minutes: a bar on a terminal, a line a step in a log."""
    return True if _bar_on() else "lines"


def cmd_train(args: argparse.Namespace) -> int:
    from training.data import check_complete
    from training.train import train

    if not args.partial:  # before anything is read: a wrong --data is a typo, not a recipe
        check_complete(Path(args.data))
    args.manifest_before = manifest_text(args.out)  # what a stop says (cli._stopped)
    before = _artifact_sha(args.manifest_before)
    manifest = train(Path(args.data), Path(args.out), seed=args.seed, progress=_steps_shown())
    _err(f"model written to {args.out}")
    if (Path(args.out) / "report").is_dir() and before != manifest.get("sha256"):
        # carried over whole (training.train.write_model): its figures are the old model's
        _err(
            f"{args.out}/report/ is still the previous model's: `newsdesk evaluate --data "
            f"{args.data} --model {args.out}` (make train runs it) rewrites it for this one"
        )
    print(_dump({"model": str(args.out), "metrics": manifest.get("metrics", {})}))
    return 0


def manifest_text(folder) -> str | None:
    """A model folder's manifest as text (None if unreadable): what train compares after."""
    from ..classifier import MANIFEST_FILE

    try:
        return (Path(folder) / MANIFEST_FILE).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None


def _artifact_sha(manifest: str | None) -> str | None:
    """The model file's sha256 a manifest's text records (None if it records none)."""
    try:
        return json.loads(manifest).get("sha256") if manifest is not None else None
    except (ValueError, AttributeError):
        return None


def cmd_convert_model(args: argparse.Namespace) -> int:
    from training.convert import convert

    out = convert(Path(args.folder), Path(args.out) if args.out else None)
    _err(f"model converted to the data-only format in {out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from training.evaluate import check_data, evaluate, format_summary

    if not args.partial:  # before the minutes of work: a report missing splits looks whole
        check_data(Path(args.data))
    model = Path(args.model or _default_model())
    report = evaluate(Path(args.data), model, progress=_steps_shown())
    _err(f"report written to {model / 'report'} (report.md, metrics.json, plots)")
    print(format_summary(report))
    return 0


def cmd_evaluate_summaries(args: argparse.Namespace) -> int:
    from training.summaries import evaluate_summaries, format_summary

    report = evaluate_summaries(
        Path(args.data), Path(args.out), limit=args.limit, progress=_bar_on(),
        partial=args.partial,
    )  # fmt: skip
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
    from ..rpc import config_from_args, serve

    return serve(config_from_args(args)) or 0


def cmd_batch(args: argparse.Namespace) -> int:
    from ..batch import ERRORS, NO_ARTICLE, run_batch

    summary = run_batch(
        args.inputs,
        args.out,
        model=args.model or os.environ.get("NEWSDESK_MODEL") or None,
        workers=args.workers,
        scheduler=args.scheduler,
        gather=args.gather,
        summary=not args.no_summary,
        force=args.force,
        keep_tree=args.keep_tree,
        recursive=args.recursive,
        gzip=args.gzip,
        pages=args.pages,
        progress=None if args.quiet else _batch_progress(),
        **_asked(args),
    )
    with _output(None) as out:  # UTF-8 whatever the locale (a folder named in Chinese)
        out.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        out.flush()
    if summary["stale_outputs"]:
        stale = ", ".join(summary["stale_outputs"])
        _err(f"{args.out} also holds outputs no input of this job made: {stale}")
    for shard in summary["shards_failed"]:
        _err(f"shard {shard['shard']} failed: {shard['reason']}")
    if summary["leads_no_fit"]:
        from ..summariser import no_fit_note

        _err(no_fit_note(summary["leads_no_fit"], summary["records_out"], args.max_chars))
    if summary.get("pages_no_article"):  # (not an error: a page of furniture or adverts)
        _err(f"{summary['pages_no_article']} page(s) gave no article; see "
             f"{Path(args.out) / NO_ARTICLE}")  # fmt: skip
    if summary["rejected"]:  # (said with a failed shard too: the exit code tells the worse)
        _err(f"{summary['rejected']} record(s) rejected; see {Path(args.out) / ERRORS}")
    if summary["shards_failed"]:
        _err(f"{len(summary['shards_failed'])} shard(s) failed (reasons above); the others are "
             "written; run again once the cause is fixed: finished shards are skipped")  # fmt: skip
        return 1
    return EXIT_REJECTED if summary["rejected"] else 0
