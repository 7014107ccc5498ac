"""Write `service/data/jieba_words.npz`: the word table `service.windowcut` cuts windows with.

jieba's dict.txt (the dictionary rjieba's engine holds) and the bundled user dictionary, at the
frequencies the engine gives its words, and the filter of the character pairs inside them. Run
again when jieba, rjieba or `service/data/userdict.txt` change (a test says when the file no longer
matches them):

    python -m training.jieba_words [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from service.tokenize import default_segmenter
from service.windowcut import FILE, WordTable


def table() -> WordTable:
    """The word table of the installed jieba's dictionary and the bundled user dictionary."""
    segmenter = default_segmenter()
    _, given = segmenter.full_engine()
    dictionary = resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    return WordTable.build(dictionary.splitlines(), given, segmenter.digest)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FILE)
    args = parser.parse_args(argv)
    words = table()
    words.save(args.out)
    print(f"{args.out}: {len(words.keys):,} words, total {words.total:,}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
