"""The cyclic garbage collector held off for one batch call, then as it was.

Evidence and keywords for a batch make ~130 tracked objects per article (readings, their word
lists and parts, Terms and Spans) that live until the call returns, so CPython's collector ran
~190 times in an `analyse_articles` call on 1,050 articles, once over the whole heap: ~0.1 s,
10-15% of the call, finding nothing: the call makes no cyclic garbage (`gc.collect()` after it
finds 0), its objects die by reference counting when it returns. So the collections are put off
until then, not skipped: garbage of cycles the call did make would be collected by the next
collection after it, as it would have been during it.

One call at a time holds the pause (a server's threads overlapping): a call that finds it held
runs as it is, so the collector is never off for longer than one call, however busy the server.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_HELD = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off `gc`'s automatic collections inside; as it was (enabled or not) after."""
    if not _HELD.acquire(blocking=False):  # another call holds the pause: it ends it
        yield
        return
    try:
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if enabled:
                gc.enable()
    finally:
        _HELD.release()
