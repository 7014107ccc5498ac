"""What every entry point accepts: the text limits, lead and term bounds, and the input checks.

One home per rule: the gRPC server (proto → domain), the CLI's JSONL records, pages and the
Python API (`Classifier.predict`, `summariser.lead`) all check through these functions and
constants, so a limit or a message changes here or nowhere. Each entry point keeps its own
text limit (a server guards its memory, a file holds whole pages, the Python API trusts its
caller more), but all of them are written here, side by side.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from .documents import Article
from .errors import InvalidInput
from .invisible import visible

__all__ = [
    "MAX_ARTICLE_CHARS",
    "MAX_PAGE_CHARS",
    "MAX_LINE_BYTES",
    "MAX_RECORD_CHARS",
    "MAX_SUMMARY_TEXT_CHARS",
    "MAX_LEAD_SENTENCES",
    "MAX_LEAD_CHARS",
    "MAX_TERMS",
    "FROM_GBK",
    "Page",
    "Record",
    "check_items",
    "check_label",
    "check_lead_options",
    "check_not_records",
    "check_page",
    "check_readable",
    "check_strings",
    "check_terms",
    "check_text",
    "parse_page",
    "parse_record",
]

# ── limits ──────────────────────────────────────────────────────────────────────────────────

# The server's default per article text (code points; `--max-chars`): what one request may
# make a worker thread chew on. A long feature runs ~20k characters.
MAX_ARTICLE_CHARS = 100_000
# The server's default per AnalysePage text (`--max-page-chars`), and a JSONL record's text:
# a whole newspaper page is ~15k characters; anything past this is not an article.
MAX_PAGE_CHARS = 1_000_000
MAX_RECORD_CHARS = MAX_PAGE_CHARS
# A JSONL line (local runs, batch, --server): a record's text of MAX_RECORD_CHARS written with
# every character escaped (\uXXXX, json.dumps' default) is 6 MB, with room for its other fields.
# A longer line is refused unread, never held whole: a small gzip could unpack to one line of
# gigabytes. (Text readers count characters, each at least a byte.)
MAX_LINE_BYTES = 16 * 1024 * 1024
# `summariser.lead` called from Python: the caller's own process, so only a sanity bound.
MAX_SUMMARY_TEXT_CHARS = 10_000_000
# A caller asking for a longer lead than this wants the article, not a lead.
MAX_LEAD_SENTENCES = 50
MAX_LEAD_CHARS = MAX_ARTICLE_CHARS  # as the server's default text limit: a lead is never longer
# Evidence or keywords past this many per article are a word list, not an explanation.
MAX_TERMS = 100

# How to mend the likeliest file that is not UTF-8 (a Chinese archive's export), said wherever
# a record's bytes are refused for it.
FROM_GBK = "a GBK file: iconv -f GB18030 -t UTF-8 IN > OUT"

_SURROGATE = re.compile("[\ud800-\udfff]")
_SHALLOW = 64  # brackets in a record's line that surely leave the surrogate walk stack enough


# ── options ─────────────────────────────────────────────────────────────────────────────────


def check_terms(name: str, value: object) -> int:
    """A count of evidence terms or keywords (`explain`, `keywords`): 0 (off) to MAX_TERMS."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TERMS:
        raise InvalidInput(
            f"{name} must be a whole number from 0 (off) to {MAX_TERMS}, got {value!r}",
            field=name,
            limit=MAX_TERMS,
        )
    return value


def check_label(label: str | None, labels: Sequence[str], field: str) -> None:
    """An evidence label (`explain_label`, or a stream's key for it) the model has; None: the
    predicted one."""
    if label is not None and label not in labels:
        shown = label if len(label) <= 60 else f"{label[:60]}…"  # (it may be megabytes)
        raise InvalidInput(
            f"{field} {shown!r} is not a label of this model ({', '.join(labels)})", field=field
        )


def check_lead_options(max_sentences: object, max_chars: object) -> None:
    """Refuse lead bounds out of range (InvalidInput naming the option and its limit)."""
    for name, value, limit in (
        ("max_sentences", max_sentences, MAX_LEAD_SENTENCES),
        ("max_chars", max_chars, MAX_LEAD_CHARS),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise InvalidInput(
                f"{name} must be an integer from 0 (the default) to {limit}, got {value!r}",
                field=name,
                limit=limit,
            )


# ── texts ───────────────────────────────────────────────────────────────────────────────────


def check_text(
    text: str, *, field: str, limit: int, name: str | None = None, empty: str, over: str
) -> str:
    """`text` when it holds something and is within `limit` code points, else InvalidInput.

    The message reads "`name` is empty: `empty`" or "`name` has N characters, over the limit
    of L: `over`", so each entry point says the fix that fits its caller.
    """
    name = field if name is None else name
    if not text.strip():
        raise InvalidInput(f"{name} is empty: {empty}", field=field)
    if len(text) > limit:
        raise InvalidInput(
            f"{name} has {len(text)} characters, over the limit of {limit}: {over}",
            field=field,
            limit=limit,
        )
    return text


def check_page(raw: str, *, field: str) -> str:
    """A raw page with something on it: an empty page is a mistake, not zero articles."""
    if not visible(raw).strip():  # (nor are zero-width marks alone: a BOM, a ZWSP)
        raise InvalidInput("the page text is empty: give the extracted page text", field=field)
    # Lines are read at "\n" (a "\r\n" as well). A page whose lines end mostly otherwise would
    # read as one line, one article or none: refused with the fix rather than read wrong.
    lone_cr = raw.count("\r") - raw.count("\r\n")
    other = {"a lone carriage return (\\r, as classic Mac OS wrote)": lone_cr}
    other |= {f"U+{ord(c):04X}": raw.count(c) for c in "\u2028\u2029\x85"}
    name, most = max(other.items(), key=lambda kv: kv[1])
    if most > raw.count("\n"):
        raise InvalidInput(
            f"the page's lines end in {name}, which is not read as a line end: convert its "
            "line ends to \\n (or \\r\\n)",
            field=field,
        )
    return raw


def check_not_records(raw: str, *, field: str) -> None:
    """Refuse JSON Lines given as a page: read as one, a file of records made rows titled
    '{"id": 18, "title": …' with exit 0. Its first line, a JSON object with a `text` or
    `title`, is what no newspaper page opens with."""
    first = re.search(r"\S[^\n]*", raw.removeprefix("\ufeff"))  # the first line with text
    try:
        obj = json.loads(first.group()) if first and first.group().startswith("{") else None
    except ValueError:
        return
    if isinstance(obj, dict) and ("text" in obj or "title" in obj):
        raise InvalidInput(
            "the page is JSON Lines (its first line is a record with a text or title), not a "
            "page's text: `newsdesk classify`, `summarise` and `batch` read records; pages a "
            'line (`{"id", "text": <the whole page>}`) are `newsdesk batch --pages`\'s',
            field=field,
        )


def check_strings(*pairs: tuple[str, object]) -> None:
    """Each (name, value) holds a str (the Python API: title, text, id)."""
    for name, value in pairs:
        if not isinstance(value, str):
            raise InvalidInput(
                f"{name} must be a str, got {type(value).__name__}; send text as UTF-8 strings",
                field=name,
            )


def check_readable(title: str, body: str, text: str, field: str) -> None:
    """Refuse an article with no title whose cleaned `body` is empty: only furniture was sent."""
    if not title.strip() and not body.strip():
        raise InvalidInput(
            f"{field} holds only page furniture, a byline or a dateline ({text.strip()[:20]!r}) "
            "and there is no title: nothing is left to read; send the article's body",
            field=field,
        )


def check_items(items: Sequence[Any]) -> None:
    """(title, body) pairs of strings, not both empty: what `Classifier.predict` reads."""
    for i, item in enumerate(items):
        ok = isinstance(item, tuple | list) and len(item) == 2
        if not ok or not all(isinstance(x, str) for x in item):
            raise InvalidInput(
                f"item {i} must be a (title, body) pair of strings, got {type(item).__name__}",
                field="items",
            )
        if not item[0].strip() and not item[1].strip():
            raise InvalidInput(
                f"item {i} has an empty title and body; send some text to classify",
                field="items",
            )


# ── JSONL records ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Record:
    """A validated input record: the caller's JSON object and the article built from it."""

    data: dict[str, Any]
    article: Article


def parse_record(obj: Any, *, max_chars: int = MAX_RECORD_CHARS, line: str | None = None) -> Record:
    """Validate one JSONL object (`id`, optional `title`, `text`) and build its article.

    `line`: the JSON text `obj` was read from, if the caller has it; see `_needs_walk`.
    """
    from .html_text import plain_title
    from .text import single_article

    if not isinstance(obj, dict):
        raise InvalidInput(
            f"expected a JSON object with a 'text' field, got {_json_type(obj)}", field="record"
        )
    text = obj.get("text")
    if "text" not in obj:
        raise InvalidInput("field 'text' is missing: give the article body", field="text")
    if text is None:  # (said "is missing": the caller who sent null went looking for a typo)
        raise InvalidInput("field 'text' is null: give the article body as a string", field="text")
    if not isinstance(text, str):  # 12345, NaN, a list: the body was put in the wrong type
        raise InvalidInput(f"field 'text' must be a string, got {_got(text)}", field="text")
    check_text(
        text,
        field="text",
        limit=max_chars,
        name="field 'text'",
        empty="give the article body",
        over="split the input into articles",
    )
    title = obj.get("title")
    if title is None:  # absent, or null as pandas writes a missing value: no title
        title = ""
    if not isinstance(title, str):  # 0, false and [] too: not an empty title, a wrong type
        raise InvalidInput(f"field 'title' must be a string, got {_got(title)}", field="title")
    # JSON may escape a lone surrogate ("\ud800"), and bytes that are not UTF-8 are read as
    # such (surrogateescape); neither is a character the record could have meant, and no field
    # holding one could be written back out as UTF-8, so the record is refused whole.
    try:
        bad = _unencodable(obj) if line is None or _needs_walk(line) else None
    except RecursionError:
        raise InvalidInput("the record is nested too deeply to check", field="record") from None
    if bad is not None:
        raise InvalidInput(
            f"field '{bad}' holds bytes that are not UTF-8, or an escaped lone UTF-16 "
            f"surrogate: fix the record's encoding (the file must be UTF-8; {FROM_GBK})",
            field=bad,
        )
    rid = obj.get("id")
    if rid is None:  # absent, or null as pandas writes a missing value: no id, as for title
        rid = ""
    if isinstance(rid, bool) or not isinstance(rid, str | int):
        raise InvalidInput(_bad_id(rid), field="id")
    article = single_article(title, text, id=str(rid))
    # A newspaper's 引题 (kicker) and 副题 (subtitle): optional, read by the classifier.
    extra = {}
    for key in ("kicker", "subtitle"):
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidInput(f"field '{key}' must be a string, got {_got(value)}", field=key)
        extra[key] = plain_title(value).strip()  # (HTML out, as the title's)
    return Record(obj, replace(article, **extra) if extra else article)


@dataclass(frozen=True)
class Page:
    """A validated page record (`newsdesk batch --pages`): its `id` as sent, its whole text."""

    id: str | int | None
    text: str


def parse_page(obj: Any, *, max_chars: int = MAX_PAGE_CHARS, line: str | None = None) -> Page:
    """Validate one page record (`id`, `text`: the whole page) as a page file is checked."""
    del line  # (read_records' parse signature; a page's fields are checked here, not walked)
    text = obj.get("text") if isinstance(obj, dict) else None
    if not isinstance(text, str):
        got = _json_type(obj) if not isinstance(obj, dict) else _json_type(text)
        got = "missing" if isinstance(obj, dict) and "text" not in obj else got
        raise InvalidInput(f"a page record needs 'text', the page as a string (got {got})",
                           field="text")  # fmt: skip
    check_text(text, field="text", limit=max_chars, name="field 'text'",
               empty="give the page's text", over="split it into pages")  # fmt: skip
    check_not_records(check_page(text, field="text"), field="text")  # (as a page file's)
    rid = obj.get("id")
    if isinstance(rid, bool) or not isinstance(rid, str | int | None):
        raise InvalidInput(_bad_id(rid), field="id")
    for name, value in (("text", text), ("id", rid)):
        if isinstance(value, str) and _SURROGATE.search(value):
            raise InvalidInput(f"field '{name}' holds bytes that are not UTF-8, or an escaped "
                               f"lone UTF-16 surrogate ({FROM_GBK})", field=name)  # fmt: skip
    return Page(rid, text)


def _got(value: Any) -> str:
    """What came instead of a string, as JSON says it: `a number (7.0)`."""
    return f"{_json_type(value)} ({json.dumps(value, ensure_ascii=False, default=str)[:40]})"


def _bad_id(rid: Any) -> str:
    """An id refused, saying what came (`7.0`: pandas' integer column holding a missing value)."""
    n = int(rid) if isinstance(rid, float) and rid.is_integer() else None
    fix = "" if n is None else f': write it as {n} or "{n}"'
    return f"field 'id' must be a string or an integer, got {_got(rid)}{fix}"


def _json_type(value: Any) -> str:
    """A value's type as JSON names it: the reader of a rejection wrote JSON, not Python."""
    if isinstance(value, bool):
        return "a boolean"
    names = {dict: "an object", list: "an array", str: "a string", int: "a number"}
    names |= {float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _needs_walk(line: str) -> bool:
    """False when `_unencodable` of the object read from the JSON text `line` is sure to find
    nothing: no \\u escape, no character of its own a lone surrogate (it encodes as UTF-8), and
    too few brackets for the walk to run out of stack. A record is then checked in ~2 µs
    instead of a walk over all its keys and strings (~7 µs)."""
    if "\\u" in line or line.count("[") + line.count("{") > _SHALLOW:
        return True
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unencodable(value: Any, path: str = "") -> str | None:
    """The path of the first key or string in a JSON value with a lone surrogate, else None."""
    if isinstance(value, str):
        return (path or "record") if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            # backslashreplace: the path is shown, and written to error files, as UTF-8
            name = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
            where = f"{path}.{name}" if path else name
            if _SURROGATE.search(str(key)):
                return where
            found = _unencodable(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _unencodable(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


# Compressions other than gzip, by their first bytes: read as text, each made thousands of
# "not UTF-8 … a GBK file: iconv" rejections (exit 3) instead of one line saying what it is.
_OTHER_COMPRESSION = (
    (re.compile(rb"BZh[1-9]"), "bzip2", "bzip2 -dc IN > OUT"),
    (re.compile(rb"\xfd7zXZ\x00"), "xz", "xz -dc IN > OUT"),
    (re.compile(rb"\x28\xb5\x2f\xfd"), "zstd", "zstd -dc IN > OUT"),
    (re.compile(rb"PK\x03\x04"), "a zip archive", "unzip -p IN > OUT"),
)


def whole_file_note(head: bytes) -> str:
    """Why an input whose first bytes are `head` is refused whole, else "": UTF-16 (read by
    lines, its bytes made lines the file does not have: 33 rejected lines, numbered past its
    end, for 5 records), or compressed other than by gzip. Every command and each `batch`
    shard ask (`head_note` for a stream)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return (
            "is UTF-16 (it opens with a UTF-16 byte-order mark): convert it to UTF-8, "
            "e.g. iconv -f UTF-16 -t UTF-8 IN > OUT"
        )
    for magic, name, command in _OTHER_COMPRESSION:
        if magic.match(head):
            how = name if name.startswith("a ") else f"{name}-compressed"
            return (
                f"is {how}; newsdesk reads plain or gzip-compressed UTF-8 only: "
                f"decompress it first, e.g. {command} (or recompress it with gzip)"
            )
    return ""
