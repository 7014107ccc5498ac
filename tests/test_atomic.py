"""service.atomic: the one writer whose files appear whole or not at all."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from service import atomic
from service.atomic import (
    atomic_folder,
    atomic_write,
    partial_files,
    stale_partials,
    write_atomic,
)

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


WRITER = """
import sys
from service.atomic import atomic_write
with atomic_write(sys.argv[1]) as fh:
    fh.write(b"half")
    fh.flush()
    print("writing", flush=True)
    sys.stdin.read()
"""


def _writing(code: str, target: Path) -> subprocess.Popen:
    """A writer process running `code` on `target`, once it says it is writing (and holds its
    lock); it waits on its stdin."""
    writer = subprocess.Popen([sys.executable, "-c", code, str(target)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert writer.stdout.readline() == "writing\n"
    return writer


def test_a_dead_writers_partial_is_removed_a_live_ones_kept_whatever_pid_it_names(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.jsonl"
    # A writer that is alive and writing: its file stays, however often it is looked at.
    writer = _writing(WRITER, target)
    try:
        (live,) = partial_files(tmp_path, "out.jsonl")
        assert stale_partials(target) == [] and stale_partials(target) == []
        assert live.exists()
        # A leftover whose name carries a pid alive now (reused: this test's own) is a dead
        # writer's all the same: nobody holds it.
        reused = tmp_path / f".out.jsonl.{os.getpid()}.abc{atomic.PARTIAL}"
        reused.write_bytes(b"12345")
        assert stale_partials(target) == [(reused, str(os.getpid()), 5)]
        writer.kill()  # SIGKILL: no finally runs, the file stays behind
        writer.wait(timeout=10)
        assert live.exists()
        assert stale_partials(target) == [(live, str(writer.pid), 4)]
        assert partial_files(tmp_path) == [] and not target.exists()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_folder_is_replaced_whole_or_left_as_it_was(tmp_path: Path) -> None:
    """training.evaluate wrote report/ file by file: a failure midway left new plots beside the
    old figures."""
    target = tmp_path / "report"
    target.mkdir()
    (target / "metrics.json").write_text("old\n")
    (target / "gone.png").write_bytes(b"a split no longer reported")
    before = _tree(target)
    with pytest.raises(KeyboardInterrupt), atomic_folder(target) as out:
        (out / "metrics.json").write_text("new\n")
        raise KeyboardInterrupt  # Ctrl-C midway
    assert _tree(target) == before and sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    with atomic_folder(target) as out:
        assert out.parent == tmp_path and not out.name.startswith("report")
        (out / "metrics.json").write_text("new\n")
    assert _tree(target) == {"metrics.json": b"new\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    with atomic_folder(tmp_path / "fresh") as out:  # no previous folder
        (out / "a").write_text("a\n")
    assert _tree(tmp_path / "fresh") == {"a": b"a\n"}
    assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o777 & ~atomic._umask()


FOLDER_WRITER = """
import sys
from pathlib import Path
from service.atomic import atomic_folder
with atomic_folder(sys.argv[1]) as out:
    (out / "half.png").write_bytes(b"half")
    print("writing", flush=True)
    sys.stdin.read()
"""


def test_a_dead_writers_folder_is_removed_a_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "report"
    writer = _writing(FOLDER_WRITER, target)
    try:
        (live,) = partial_files(tmp_path, "report")
        with atomic_folder(target) as out:  # another run meanwhile: the live one's stays
            (out / "metrics.json").write_text("mine\n")
        assert (live / "half.png").exists() and _tree(target) == {"metrics.json": b"mine\n"}
        writer.kill()  # SIGKILL: its folder stays behind, unlocked
        writer.wait(timeout=10)
        with atomic_folder(target) as out:
            (out / "metrics.json").write_text("next\n")
        assert not live.exists() and partial_files(tmp_path) == []
        assert _tree(target) == {"metrics.json": b"next\n"}
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()


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


def test_an_old_folder_left_aside_by_a_writer_killed_between_its_renames_is_put_back(
    tmp_path: Path,
) -> None:
    """A writer SIGKILLed after moving the old folder aside and before moving the new one in
    left no `report/` at all; the next writer puts the old one back before its own swap, so
    even a failed next run leaves the old report in place."""
    from service.atomic import atomic_folder

    target = tmp_path / "report"
    aside = tmp_path / ".report.4242.k9x2.old"  # as that writer named it
    aside.mkdir()
    (aside / "metrics.json").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_folder(target) as tmp:
        (tmp / "metrics.json").write_text("new", encoding="utf-8")
        raise RuntimeError("the next run fails too")
    assert (target / "metrics.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    aside.mkdir()  # killed after both renames, before removing the old one: removed
    with atomic_folder(target) as tmp:
        (tmp / "metrics.json").write_text("new", encoding="utf-8")
    assert (target / "metrics.json").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
