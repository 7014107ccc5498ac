"""Word segmentation: jieba's dictionary and output, at the speed of its Rust port rjieba."""

from __future__ import annotations

import hashlib
import itertools
import re
import sys
import threading
from collections.abc import Iterable
from functools import cache, cached_property
from pathlib import Path

__all__ = ["Segmenter", "default_segmenter", "read_userdict", "words"]

# jieba hands a run of single ASCII characters to its HMM step, which splits it with this
# pattern ("1-5" -> "1", "-", "5"); rjieba keeps such runs whole. Re-splitting them here
# makes the output equal jieba.lcut.
_ASCII_RUN = re.compile(r"[\x21-\x7e]*[+#&._%\-][\x21-\x7e]*")
_ASCII_PUNCT_RUN = re.compile(r"[\x21-\x7e][+#&._%\-]|[+#&._%\-][\x21-\x7e]")
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")

USERDICT = Path(__file__).resolve().parent / "data" / "userdict.txt"

# A lone surrogate: a Python caller's str may hold one, which rjieba (taking UTF-8) refuses with
# UnicodeEncodeError; it is cut as U+FFFD, one code point for one, so offsets stay.
_SURROGATE = re.compile("[\ud800-\udfff]")
_CACHE: dict[str, object] = {}
_LOCK = threading.Lock()
# A window's own engine costs ~0.07 ms, the whole engine 90 ms once: past this many windows a
# process builds the whole engine, so it never pays more than twice the cheaper way (5,000
# records ask a few dozen windows, 300 rendered development pages about 1,000).
WINDOWS = 1000
_WINDOWS_ASKED = itertools.count()


def read_userdict(lines: Iterable[str]) -> tuple[tuple[str, int | None, str], ...]:
    """Parse jieba's user-dictionary format: `word [freq] [tag]` per line, # comments."""
    entries = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, ""
        for p in parts[1:]:
            if p.isascii() and p.isdigit():  # "²".isdigit(), yet int("²") fails
                freq = int(p)
            else:
                tag = p
        entries.append((word, freq, tag))
    return tuple(entries)


def _bundled_userdict() -> tuple[tuple[str, int | None, str], ...]:
    text = USERDICT.read_text(encoding="utf-8")
    return read_userdict(text.splitlines())


class Segmenter:
    """A picklable segmenter that carries its user dictionary (so it ships inside the model).

    The rjieba engine is built lazily, once per process and dictionary, and is not pickled.
    """

    def __init__(self, userdict: tuple[tuple[str, int | None, str], ...] = ()) -> None:
        self.userdict = tuple(userdict)

    @classmethod
    def from_file(cls, path: str | Path) -> Segmenter:
        return cls(read_userdict(Path(path).read_text(encoding="utf-8").splitlines()))

    @cached_property
    def digest(self) -> str:
        """sha256 of the user dictionary, recorded in model manifests (computed once)."""
        h = hashlib.sha256(repr(self.userdict).encode("utf-8"))
        return h.hexdigest()

    def _engine(self):
        key = self.digest
        engine = _CACHE.get(key)
        if engine is None:
            with _LOCK:
                engine = _CACHE.get(key)
                if engine is None:
                    engine, _ = self.full_engine()
                    _CACHE[key] = engine
        return engine

    def full_engine(self) -> tuple[object, list[tuple[str, int]]]:
        """A new rjieba engine with the user dictionary, and the frequency each user word got."""
        engine = _jieba_class()()
        given = []
        for word, freq, tag in self.userdict:
            # jieba's add_word(word) without a frequency uses suggest_freq.
            f = freq if freq is not None else engine.suggest_freq(word)
            given.append((word, engine.add_word(word, f, tag or None)))
        return engine, given

    def __call__(self, text: str) -> list[str]:
        try:
            tokens = self._engine().cut(text)
        except UnicodeEncodeError:  # (a lone surrogate: the caller's characters given back)
            ends = itertools.accumulate(map(len, self._engine().cut(_speakable(text))))
            tokens = [text[a:b] for a, b in itertools.pairwise(itertools.chain((0,), ends))]
        # Most texts: nothing for jieba to split further. Each match holds one of these
        # characters, and looking for them is ten times cheaper than running the pattern.
        if not ("." in text or "-" in text or "%" in text or "+" in text or "_" in text
                or "#" in text or "&" in text) or not _ASCII_PUNCT_RUN.search(text):  # fmt: skip
            return tokens
        # Decide per distinct ASCII token (filtered in C); few texts have one to re-split.
        fixes = {}
        for tok in set(filter(str.isascii, tokens)):
            if len(tok) > 1 and _ASCII_RUN.fullmatch(tok):
                parts = [p for p in _JIEBA_SKIP.split(tok) if p]
                if parts != [tok]:
                    fixes[tok] = parts
        if not fixes:
            return tokens
        out: list[str] = []
        for tok in tokens:
            parts = fixes.get(tok)
            if parts is None:
                out.append(tok)
            else:
                out.extend(parts)
        return out

    def word_across(self, text: str, seam: int) -> bool:
        """Whether the token across position `seam` of `text` (none: False) is a dictionary word.

        rjieba's own tokens: the ASCII re-split of `__call__` cuts only ASCII tokens, into parts
        as long as they were, so a token holding other characters sits where it would there.
        Until a process has asked about many windows, an engine holding only the window's words
        answers (`windowcut`): the same cut, without reading the whole dictionary. A seam whose
        two characters stand together in no dictionary word has no word across it: most column
        seams, told from the word table without a cut."""
        if 0 < seam < len(text) and not self._may_cross(text[seam - 1], text[seam]):
            return False
        engine = _CACHE.get(self.digest) or self._window_engine(text) or self._engine()
        return engine_word_across(engine, text, seam)

    def _may_cross(self, a: str, b: str) -> bool:
        """Whether a dictionary word may hold `a` right before `b`: False only where the word
        table of this user dictionary holds no such word (`windowcut.WordTable.may_hold_pair`)."""
        table = _word_table()
        return table is None or table.userdict_sha256 != self.digest or table.may_hold_pair(a, b)

    def _window_engine(self, text: str):
        """An engine for `text` alone, or None: past WINDOWS asked in this process (the whole
        engine then costs less than the windows still to come), or with no word table for
        this user dictionary."""
        if next(_WINDOWS_ASKED) >= WINDOWS:
            return None
        table = _word_table()
        if table is None or table.userdict_sha256 != self.digest:
            return None
        return table.engine_for(text, _jieba_class())

    def has_word(self, word: str) -> bool:
        """True when `word` is in the dictionary (not a word only the HMM step guessed)."""
        return bool(self._engine().has_word(word))

    def __getstate__(self) -> dict:
        return {"userdict": self.userdict}

    def __setstate__(self, state: dict) -> None:
        self.userdict = state["userdict"]


def _jieba_class() -> type:
    """rjieba's Jieba class, without running `rjieba/__init__.py` when that can be avoided.

    The package's __init__ builds a module-level Jieba that we never use (0.1 s, a tenth of a
    `newsdesk classify` run); the extension module alone gives the same class. It is registered
    as `rjieba.rjieba`, so a later `import rjieba` reuses it (PyO3 modules load once).
    Threads (a server's first calls) load it once, under a lock, and it is registered only
    once executed: a thread that found it half-loaded raised AttributeError (HTTP 500).
    """
    loaded = sys.modules.get("rjieba.rjieba")
    if loaded is not None:
        return loaded.Jieba
    with _JIEBA_LOCK:
        loaded = sys.modules.get("rjieba.rjieba")
        return loaded.Jieba if loaded is not None else _load_jieba_class()


_JIEBA_LOCK = threading.Lock()


def _load_jieba_class() -> type:
    import importlib.machinery
    import importlib.util

    spec = importlib.util.find_spec("rjieba")  # locates the package without importing it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(folder) / f"rjieba{suffix}"
            if not path.is_file():
                continue
            loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", str(path))
            ext = importlib.util.spec_from_file_location("rjieba.rjieba", path, loader=loader)
            module = importlib.util.module_from_spec(ext)
            loader.exec_module(module)
            sys.modules["rjieba.rjieba"] = module
            return module.Jieba
    import rjieba  # an unusual layout: the ordinary import

    return rjieba.Jieba


def _speakable(text: str) -> str:
    """`text` as rjieba takes it: each lone surrogate as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def engine_word_across(engine, text: str, seam: int) -> bool:
    """`Segmenter.word_across` as `engine` (an rjieba engine) cuts `text`."""
    try:
        return _word_across(engine, text, seam)
    except UnicodeEncodeError:  # (a lone surrogate)
        return _word_across(engine, _speakable(text), seam)


def _word_across(engine, text: str, seam: int) -> bool:
    end = 0
    for tok in engine.cut(text):
        end += len(tok)
        if end >= seam:  # the token reaching the seam: across it unless it ends there
            return end > seam and bool(engine.has_word(tok))
    return False


@cache
def _word_table():
    """The dictionary's word table (`windowcut`), or None when it cannot be read: the whole
    engine then answers every window, as before the table existed."""
    from .windowcut import WordTable

    try:
        return WordTable.load()
    except ValueError:
        return None


_DEFAULT: Segmenter | None = None


def default_segmenter() -> Segmenter:
    """The segmenter with the newsroom user dictionary bundled in `service/data/userdict.txt`."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Segmenter(_bundled_userdict())
    return _DEFAULT


def words(text: str) -> list[str]:
    """Segment `text` with the default segmenter; `"".join(words(t)) == t` always holds."""
    return default_segmenter()(text)
