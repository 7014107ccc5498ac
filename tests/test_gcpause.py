"""service.gcpause: the collector held off for one call, then as it was."""

from __future__ import annotations

import gc
import threading

import pytest

from service.gcpause import collector_paused


@pytest.fixture(autouse=True)
def _collector_back_on():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


def test_paused_inside_and_as_it_was_after():
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # a caller's own choice stays


def test_an_error_inside_still_ends_the_pause():
    gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("inside")
    assert gc.isenabled()


def test_one_call_at_a_time_holds_the_pause():
    gc.enable()
    inside, leave, seen = threading.Event(), threading.Event(), []

    def other() -> None:
        with collector_paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    inside.wait(5)
    with collector_paused():  # held by the other thread: this one runs as it is
        seen.append(gc.isenabled())
    assert seen == [False] and not gc.isenabled()  # still the other's pause
    leave.set()
    thread.join(5)
    assert gc.isenabled()  # the holder ended it, not the call that came second
