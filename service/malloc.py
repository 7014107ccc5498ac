"""glibc malloc settings, in one place: what a process does with memory it has freed.

Two opposite needs:

- a batch worker (`reuse_freed_memory`) lives for one run and allocates the same few MB per
  chunk: it keeps what it frees, so the next chunk does not fault the pages in again;
- the server (`return_freed_memory`) lives for weeks and may get a burst of 26 MiB requests:
  it gives large blocks back to the system as soon as they are freed, so an idle server
  returns to its warm size.

Left alone, glibc does the server's case badly. Its mmap threshold starts at 128 KiB but
rises to the size of every mmapped block freed (up to 32 MiB), and its trim threshold to twice
that: after one 26 MiB request, the next big blocks come from the per-thread arenas, and an
arena gives back the free top of its heap only past 64 MiB (`malloc_trim` does not trim those
tops). The soak's memory phase (docs/grpc.md) measured idle RSS 1.3-2.0x warm that way.
A threshold set by `mallopt` stays fixed; the server sets the trim threshold to the same value.
Every function here does nothing, and says False, off glibc.

What these settings do not reach: Python's own allocator (pymalloc) keeps objects of 512 bytes
and less in 1 MiB arenas, and frees an arena only once every object in it is gone. With them
in place the soak still read idle 1.27-1.46x warm (i123, 8 runs): glibc's arenas were trimmed
(their in-use bytes grew by what was live, their free pages went back), but pymalloc held ~21
more arenas (18 -> 39), ~20 MiB of free pools, each pinned by a few objects made during the
burst that outlive it (a metric's float, a cache key). A 26 MiB request's articles had kept
~10 MiB of small objects per call (each line's range and newline, for the body's lazy index);
kept as arrays instead (`text._join`), the burst needs ~1 new arena: idle 1.08-1.18x warm.
Capping glibc's arenas (M_ARENA_MAX) would not have touched that; PYTHONMALLOC=malloc (every
object from glibc, trimmed) read 1.09-1.20x, but cost in-process classify ~30% and explained
classify ~50% in one bench run: not taken.

Pages (i131): 16 concurrent AnalysePage calls of 1,000,000 characters, twice, made ~105 new
arenas (34 -> ~140, in-process) and left nearly all of them held, with the live bytes as when
warm. tracemalloc after the burst and a gc: of ~10,700 blocks still alive from it, ~9,500 were
the page-reading caches' (`text._seam_word`, `heads._shape`, `cohesion.head_bigrams`: seam
halves, line texts, shapes, bigram sets). `trim` now empties them first (`forget_on_trim`), and
a request from 1 MiB schedules it (a 2.8 MiB page was under the 4 MiB that did): 34-69 of the
arenas go back; the rest stay held by ~1,000 blocks no gc container refers to (2-tuples, most).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["forget_on_trim", "reuse_freed_memory", "return_freed_memory", "trim", "trims"]

# glibc's mallopt parameters (malloc.h) and the largest mmap threshold it accepts on 64 bits.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_MAX = 32 << 20
# The server's fixed threshold: blocks from 4 MiB up (a big request's bytes) are mmapped and
# unmapped when freed. Smaller ones stay in the arenas, whose tops now shrink on free, and
# `trim` returns the rest a second after a big request. 256 KiB did as well for memory but
# cost ClassifyStream ~20% in paired runs (more blocks mmapped and faulted in anew each time).
SERVER_MMAP_THRESHOLD = 4 << 20
# Free arena tops past this go back at once; under it they stay for the next call.
SERVER_TRIM_THRESHOLD = 1 << 20

_LIBC: list[Any] = []
_TRIMS = [0]
_LOCK = threading.Lock()
_FORGETS: list[Callable[[], None]] = []
F = TypeVar("F", bound=Callable[..., Any])


def _libc() -> Any:
    if not _LIBC:
        try:
            libc = ctypes.CDLL(None)
            libc.mallopt.argtypes, libc.mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
            libc.malloc_trim.argtypes, libc.malloc_trim.restype = (ctypes.c_size_t,), ctypes.c_int
        except (OSError, AttributeError):  # no C library to ask, or not glibc's interface
            libc = None
        _LIBC.append(libc)
    return _LIBC[0]


def reuse_freed_memory() -> bool:
    """Make glibc's malloc keep freed memory for the next chunk instead of giving it back.

    Every chunk allocates and frees the same few MB of arrays. By default glibc hands large
    blocks back to the system (munmap, heap trimming) and the next chunk faults them in again,
    zero-filled page by page: about a tenth of a worker's CPU. The price is that a worker stays
    at its peak memory, one chunk's worth.
    """
    libc = _libc()
    if libc is None:
        return False
    # Blocks up to the maximum come from the heap, and the heap is never trimmed.
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)) and bool(
        libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
    )


def return_freed_memory(threshold: int = SERVER_MMAP_THRESHOLD) -> bool:
    """For a long-lived server: blocks of `threshold` bytes or more are mmapped, each handed
    back to the system when freed, whatever sizes came before (the threshold stays fixed)."""
    libc = _libc()
    # The trim threshold too: left at the 128 KiB that fixing the mmap threshold pins it to,
    # every call's model arrays (about 1 MB) were handed back on free and faulted in again on the
    # next call (+5 ms a unary Classify). Arena tops under it stay; `trim` returns them.
    return (
        libc is not None
        and bool(libc.mallopt(_M_MMAP_THRESHOLD, threshold))
        and bool(libc.mallopt(_M_TRIM_THRESHOLD, SERVER_TRIM_THRESHOLD))
    )


def forget_on_trim(cached: F) -> F:
    """Have `trim` empty this `lru_cache` first (a decorator, over it). For caches a page's
    reading fills: entries made during a burst of big pages pin pymalloc's arenas when idle."""
    _FORGETS.append(cached.cache_clear)  # type: ignore[attr-defined]
    return cached


def trim() -> bool:
    """Empty the caches given to `forget_on_trim`, then glibc's malloc_trim(0): return the
    free pages of every arena to the system."""
    for clear in _FORGETS:
        clear()
    libc = _libc()
    if libc is None:
        return False
    with _LOCK:
        _TRIMS[0] += 1
    libc.malloc_trim(0)
    return True


def trims() -> int:
    """How many times `trim` has run in this process (tests watch the budget's hook with it)."""
    return _TRIMS[0]
