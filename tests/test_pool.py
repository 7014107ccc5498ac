"""service.pool: the one way batch and the record workers start processes and keep a model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service import pool, workers
from service.batch import runners, shards
from service.classifier import DEFAULT_MODEL
from service.errors import ModelError

ROOT = Path(pool.__file__).parents[1]


def test_pools_are_started_in_one_place_only() -> None:
    pattern = re.compile(r"\b(ProcessPoolExecutor\(|\.Pool\(|get_context\(|PR_SET_PDEATHSIG =)")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "service").glob("**/*.py"))
        if path.name != "pool.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_batch_and_workers_share_one_model_cache() -> None:
    assert shards.cached_classifier is pool.cached_classifier
    assert runners.cached_classifier is pool.cached_classifier
    assert workers.cached_classifier is pool.cached_classifier


@pytest.mark.skipif(not (DEFAULT_MODEL / "manifest.json").exists(), reason="no shipped model")
def test_a_model_is_loaded_once_and_checked_against_its_key(tmp_path: Path) -> None:
    key = pool.model_key(DEFAULT_MODEL)
    first = pool.cached_classifier(DEFAULT_MODEL, key)
    assert pool.cached_classifier(DEFAULT_MODEL, key) is first
    assert pool.cached_classifier(DEFAULT_MODEL) is first
    with pytest.raises(ModelError, match="not the one the job was started with"):
        pool.cached_classifier(DEFAULT_MODEL, "0" * 64)


def test_a_dead_worker_breaks_the_pool_instead_of_hanging() -> None:
    import os

    with pytest.raises(pool.BrokenProcessPool), pool.WorkerPool(1, fork=pool.can_fork()) as p:
        assert p.submit(os.getpid).result() != os.getpid()  # a worker is up
        p.submit(_die).result(timeout=30)  # SIGKILLed, as the OOM killer would


def _die() -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)
