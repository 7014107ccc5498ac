"""A command line read as a user means it, before argparse reads it.

`--explain` and `--keywords` take an optional K, so argparse reads any word after a bare one as
K: `classify --explain page.jsonl` would fail on "expected a whole number". A word there that
is an input, not a number, is moved before the flag.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

__all__ = ["OPTIONAL_NUMBERS", "RECORD_COMMANDS", "cap_blas", "numbers_first", "pin_floats"]

OPTIONAL_NUMBERS = ("--explain", "--keywords")
RECORD_COMMANDS = ("classify", "summarise")  # JSONL in, JSONL out, on every core


def cap_blas(argv: list[str]) -> None:
    """Keep OpenBLAS to one thread for a record command, unless the caller set it: these run a
    worker per core on tiny matrices, and its helper threads would spin idle (0.1 s of CPU a
    run, taken from the workers). OpenBLAS reads the setting once, when numpy loads."""
    if argv and argv[0] in RECORD_COMMANDS:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# The floating point a fit runs on, the same on every x86-64 machine with AVX2: numpy's AVX-512
# loops (exp, log, sums eight lanes wide) and OpenBLAS's kernels per CPU and per thread count
# sum in other orders. The shipped model, fitted on an earlier machine, was not reproduced byte
# for byte on an AVX2 one (stop 47: same texts, other thresholds and coefficients).
_FIT_FLOATS = {
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    "OPENBLAS_NUM_THREADS": "1",
}


def pin_floats(argv: list[str]) -> None:
    """For `train`, fix the floating point of the fit (`_FIT_FLOATS`, and OpenBLAS's Haswell
    kernels where the CPU has AVX2 and FMA), whatever the caller's environment: `make train`
    reproduces the shipped model only so. Read once, when numpy loads."""
    if not argv or argv[0] != "train":
        return
    os.environ.update(_FIT_FLOATS)
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace").split()
    except OSError:
        flags = []
    if "avx2" in flags and "fma" in flags:  # (kernels the CPU cannot run would crash it)
        os.environ["OPENBLAS_CORETYPE"] = "Haswell"


def numbers_first(argv: list[str]) -> list[str]:
    """`argv` with each word after a bare optional-number flag that is no whole number but an
    input (`_is_input`) moved before the flag (and any bare ones just before it), so that it is
    read as the input; a word that is neither is left to fail as K."""
    out = list(argv)
    command = out[0] if out else ""
    for i in range(len(out) - 1):
        if out[i] == "--":
            break
        word = out[i + 1]
        if out[i] in OPTIONAL_NUMBERS and not _whole(word) and _is_input(word, command):
            start = i
            while start > 0 and out[start - 1] in OPTIONAL_NUMBERS:
                start -= 1
            out[start + 1 : i + 2] = out[start : i + 1]
            out[start] = word
    return out


def _is_input(word: str, command: str) -> bool:
    """`-` (stdin), an existing path, or for `batch` a glob: batch's inputs are quoted globs as
    often as files (docs/batch.md), and no K holds `*?[` (one matching nothing: batch says so)."""
    return word == "-" or Path(word).exists() or (command == "batch" and glob.has_magic(word))


def _whole(word: str) -> bool:
    try:
        int(word)
    except ValueError:
        return False
    return True
