"""The argument parser: the commands, the option groups they share, help with every default.

Each option is written once: an option two commands share is added by one function here, and
`newsdesk batch`'s flags live here too, beside the ones they share with classify/summarise.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import InvalidInput
from .argv import numbers_first
from .commands import (
    cmd_analyse,
    cmd_batch,
    cmd_convert_model,
    cmd_evaluate,
    cmd_evaluate_keywords,
    cmd_evaluate_summaries,
    cmd_serve,
    cmd_split,
    cmd_train,
)
from .common import DEFAULT_DATA, EXIT_HELP, REPO
from .output import add_batch_output
from .records import cmd_classify, cmd_summarise

# What `classify` does to a record's own fields: said in its --help and in the README.
CLASSIFY_HELP = (
    "Add label, scores and review to each JSONL record, keeping its other fields. A record's "
    "own `label` is replaced by the model's: rename it (e.g. to `gold`) to keep it beside "
    "ours; the run says on stderr how many records had one. `review: true` asks a desk editor "
    "to look: the top score is under its label's threshold (the model's manifest), or the text "
    "is too short or too foreign to file."
)


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Every option shows its default; a path in or beside the repository as a relative one
    (models/desk, ../shared/data), never this machine's absolute path; a secret never."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            action.dest == "token"
            or "default" in text
            or action.default in (None, False, argparse.SUPPRESS)
            or not (action.option_strings or action.nargs in ("?", "*"))
        ):
            return text
        return f"{text} (default: {_shown(action.default)})".replace("%", "%%")


def _shown(default: object) -> str:
    if isinstance(default, str | Path) and Path(default).is_absolute():
        path = Path(default)
        for base, prefix in ((REPO, ""), (REPO.parent, "../")):
            try:
                return prefix + str(path.relative_to(base))
            except ValueError:
                continue
    return str(default)


def _whole(text: str, hint: str = "") -> int:  # the usage error of every integer option
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}{hint}") from None


def _at_least_one(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _server(text: str) -> str:
    """`--server HOST:PORT`: gRPC's own target; a URL or a bare host would fail later, unclearly
    (an http:// URL as "Misformatted domain name", a host without a port at port 443)."""
    if text.lower().startswith(("http://", "https://")) or ":" not in text:
        raise argparse.ArgumentTypeError(
            f"expected HOST:PORT of the server's gRPC port (e.g. 127.0.0.1:50051), got {text!r}"
        )
    return text


def _batch_size(text: str) -> int:
    """`--batch-size N`: a model call takes at most a worker's chunk of lines."""
    from ..workers import CHUNK_LINES

    value = _at_least_one(text)
    if value > CHUNK_LINES:
        raise argparse.ArgumentTypeError(
            f"at most {CHUNK_LINES} (the lines a worker's chunk holds), got {value}"
        )
    return value


# --- options more than one command takes -----------------------------------------------------


def _add_model(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model", metavar="DIR", help="model folder (default: $NEWSDESK_MODEL, else shipped)"
    )


def _add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data", default=DEFAULT_DATA, metavar="DIR", help="corpus folder (or $NEWSDESK_DATA)"
    )


def _add_output(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help=f"write {what} to FILE, whole once the run succeeds (.gz: compressed); - is stdout",
    )


def _add_page(p: argparse.ArgumentParser) -> None:
    p.add_argument("page", nargs="?", default="-", help="page file (UTF-8, .gz ok); - is stdin")


def _lead_option(name: str):
    """An argparse type for a lead bound, checked as the summariser and the server check it."""

    def parse(text: str) -> int:
        from ..validation import check_lead_options

        value = _whole(text)
        try:
            check_lead_options(**{"max_sentences": 0, "max_chars": 0, name: value})
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(exc.message) from None
        return value

    return parse


def _add_lead_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-sentences",
        type=_lead_option("max_sentences"),
        default=0,
        metavar="N",
        help="sentences in a lead at most; 0 = the default, 2",
    )
    p.add_argument(
        "--max-chars",
        type=_lead_option("max_chars"),
        default=0,
        metavar="N",
        help="characters in a lead at most; 0 = the default, 120 (soft: a sentence may run to "
        "160); a value given is hard: where no whole sentence fits, the lead is empty (warnings)",
    )


def _term_count(name: str):
    """An argparse type for `--explain K` / `--keywords K`, checked as the pipeline checks it."""

    def parse(text: str) -> int:
        from ..validation import check_terms

        try:
            return check_terms(name, _whole(text, ", nor an existing file: check the input's path"))
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(exc.message) from None

    return parse


def _add_term_options(
    p: argparse.ArgumentParser, *, label: bool = True, inputs: str = "a file"
) -> None:
    """`--explain [K]`, `--keywords [K]` (K defaults to 5 when the flag is bare; off without)."""
    for name, what in (
        ("explain", "add `evidence`: the K words that most raised the label's logit, with spans"),
        ("keywords", "add `keywords`: the K top words by TF-IDF, with spans"),
    ):
        kind = _term_count(name)
        help = (
            f"{what} (default K: 5; off without the flag; {inputs} after the bare flag is the "
            "input)"
        )
        p.add_argument(
            f"--{name}", type=kind, nargs="?", const=5, default=0, metavar="K", help=help
        )
    if label:
        p.add_argument(
            "--explain-label",
            metavar="LABEL",
            help="with --explain: evidence for this label, not the predicted",
        )


def _add_record_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", nargs="?", default="-", help="JSONL input, or - for stdin; .gz ok")
    _add_output(p, "the JSONL records")
    p.add_argument(
        "--errors",
        metavar="FILE",
        help="also write rejected records (source, line, id, reason) here",
    )
    _add_model(p)
    p.add_argument(
        "--batch-size",
        type=_batch_size,
        default=256,
        metavar="N",
        help="records per model call (at most 256, the lines a worker's chunk holds)",
    )
    p.add_argument(
        "--server", type=_server, metavar="HOST:PORT", help="use this running newsdesk server"
    )
    p.add_argument(
        "--token",
        default=os.environ.get("NEWSDESK_TOKEN"),
        help="bearer token for --server (env NEWSDESK_TOKEN, which `ps` does not show)",
    )
    p.add_argument(
        "--tls-ca",
        metavar="PEM",
        default=os.environ.get("NEWSDESK_TLS_CA") or None,
        help="talk TLS to --server, trusting this CA or self-signed certificate (env "
        "NEWSDESK_TLS_CA); a TLS server refuses a plaintext client",
    )


def _add_batch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="JSONL files (.gz accepted), globs or folders; one record per line: id, title, text",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    _add_model(p)
    p.add_argument(
        "--workers",
        type=_at_least_one,
        metavar="N",
        help="local worker processes (default: all cores)",
    )
    p.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run on this Dask cluster instead of local processes",
    )
    p.add_argument(
        "--gather",
        action="store_true",
        help="with --scheduler: ship shards to workers and results back (no shared filesystem)",
    )
    p.add_argument("--no-summary", action="store_true", help="label only, skip leads")
    _add_lead_options(p)
    _add_term_options(p, label=False, inputs="a file or a quoted glob")
    add_batch_output(p)  # (--keep-tree, --recursive, --gzip, --force, --quiet)


# --- the commands ------------------------------------------------------------------------------


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; serve gets its flags only when `command` is serve, so that `newsdesk
    classify` never imports grpc."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="Label Chinese news articles by desk and write their leads.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parser.commands = {}  # name → its parser, whose usage a check after parsing prints

    def command_parser(name: str, help: str, func, description: str | None = None):
        p = sub.add_parser(name, help=help, description=description or help, formatter_class=_Help)
        p.set_defaults(func=func)
        parser.commands[name] = p
        return p

    p = command_parser("split", "split a raw newspaper page into articles (JSONL)", cmd_split)
    _add_page(p)
    _add_output(p, "the articles")

    p = command_parser(
        "analyse", "a page's articles with label, confidence, review and lead", cmd_analyse
    )
    _add_page(p)
    p.add_argument("--json", action="store_true", help="JSON Lines instead of a table")
    _add_model(p)
    p.add_argument("--no-summary", action="store_true", help="skip the leads")
    _add_output(p, "the table (or JSON Lines)")
    _add_lead_options(p)
    _add_term_options(p)

    p = command_parser(
        "classify", "add label, scores and review to JSONL records", cmd_classify, CLASSIFY_HELP
    )
    _add_record_options(p)
    _add_term_options(p)

    p = command_parser("summarise", "add lead and lead_spans to JSONL records", cmd_summarise)
    _add_record_options(p)
    _add_lead_options(p)

    p = command_parser(
        "train", "train the desk classifier (writes the folder atomically)", cmd_train
    )
    _add_data(p)
    p.add_argument("--out", metavar="DIR", help="model folder to write (default: models/desk)")
    why = "kept in the manifest; the recipe is deterministic: every seed writes the same model"
    p.add_argument("--seed", type=int, default=13, help=why)
    p.add_argument(
        "--partial",
        action="store_true",
        help="train even when the folder lacks some of the recipe's files (newspaper and TV "
        "read labels, newspaper/articles.jsonl.gz): a model learning less, with no review "
        "thresholds without the newspaper gold",
    )

    p = command_parser(
        "convert-model",
        "convert a pickled model folder you trust (model.joblib) to model.npz",
        cmd_convert_model,
    )
    p.add_argument("folder", help="model folder holding model.joblib and manifest.json")
    p.add_argument("--out", metavar="DIR", help="write a converted copy here (default: in place)")

    p = command_parser(
        "evaluate", "evaluate a model on every split, with the usual script", cmd_evaluate
    )
    _add_data(p)
    _add_model(p)
    p.add_argument(
        "--partial",
        action="store_true",
        help="evaluate even when the folder lacks some of the splits' or the recipe's files: "
        "a report of the splits that are there",
    )

    p = command_parser(
        "evaluate-summaries", "ROUGE of our leads against the baselines", cmd_evaluate_summaries
    )
    _add_data(p)
    p.add_argument("--out", default="build/summaries", metavar="DIR", help="report folder")
    p.add_argument("--limit", type=_at_least_one, metavar="N", help="the first N docs only")
    p.add_argument(
        "--partial",
        action="store_true",
        help="report on the sources that are there when the folder lacks newspaper_dev.jsonl",
    )

    p = command_parser(
        "evaluate-keywords",
        "our keywords vs jieba and TextRank4ZH against 核心阅读",
        cmd_evaluate_keywords,
    )
    _add_data(p)
    _add_model(p)
    p.add_argument("--out", default="build/keywords", metavar="DIR", help="report folder")
    p.add_argument("--limit", type=_at_least_one, metavar="N", help="the first N articles only")

    p = command_parser("serve", "run the gRPC server", cmd_serve)
    if command == "serve":
        from ..rpc.config import add_serve_arguments

        add_serve_arguments(p)

    p = command_parser("batch", "run JSONL shards on local processes or a Dask cluster", cmd_batch)
    _add_batch_options(p)
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line read as a user means it (see `argv.numbers_first`), and the flags that
    only work together checked."""
    argv = numbers_first(argv)
    parser = build_parser(argv[0] if argv else None)
    args, extra = parser.parse_known_args(argv)
    command = parser.commands.get(getattr(args, "command", None), parser)
    if extra:  # with the command's usage, not the top level's (which names none of its flags)
        command.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(args, "no_summary", False) and (args.max_chars or args.max_sentences):
        command.error("--max-chars/--max-sentences bound the leads --no-summary turns off")
    if getattr(args, "explain_label", None) and not getattr(args, "explain", 0):
        # It picks whose evidence --explain lists; alone it would be dropped without a word.
        command.error("--explain-label LABEL needs --explain [K]: it picks whose evidence it lists")
    return args
