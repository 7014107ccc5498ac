"""service.atomic: the one writer whose files appear whole or not at all."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from service import atomic
from service.atomic import atomic_write, partial_files, stale_partials, write_atomic

ROOT = Path(atomic.__file__).parents[1]


def test_a_write_replaces_the_file_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n" and target.stat().st_mode & 0o777 == 0o640
    assert partial_files(tmp_path) == []


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_write(target) as fh:
        fh.write(b"half")
        assert len(partial_files(tmp_path, "out.jsonl")) == 1
        raise RuntimeError("stopped mid-write")
    assert target.read_text() == "old\n" and partial_files(tmp_path) == []


def test_a_dead_writers_partial_is_removed_a_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    gone = tmp_path / f".out.jsonl.{dead}.abc{atomic.PARTIAL}"
    live = tmp_path / f".out.jsonl.{os.getpid()}.def{atomic.PARTIAL}"
    gone.write_bytes(b"12345")
    live.write_bytes(b"x")
    assert stale_partials(target) == [(gone, dead, 5)]
    assert not gone.exists() and live.exists()


def test_files_are_written_atomically_in_one_place_only() -> None:
    """cli, batch and training/summaries each had their own temp-and-rename; now atomic has it."""
    pattern = re.compile(r"\b(os\.replace|tempfile\.mkstemp|NamedTemporaryFile)\b")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("service", "training")
        for path in sorted((ROOT / folder).glob("**/*.py"))
        if path.name != "atomic.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
