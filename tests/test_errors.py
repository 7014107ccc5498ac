"""service.errors holds the whole error tree; no error is raised as the bare base class."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service import errors

ROOT = Path(errors.__file__).parents[1]
CLASS = re.compile(r"^class (\w+)\((?:[^)]*\b)?(\w*Error|NewsdeskError|Exception)\b")


def _sources():
    for folder in ("service", "training"):
        for path in sorted((ROOT / folder).glob("**/*.py")):
            if "_proto" not in path.parts:
                yield path


def test_every_error_class_lives_in_errors():
    outside = [
        f"{path.relative_to(ROOT)}: {m.group(1)}"
        for path in _sources()
        if path.name != "errors.py"
        for m in map(CLASS.match, path.read_text(encoding="utf-8").splitlines())
        if m
    ]
    assert outside == []


def test_no_bare_base_class_is_raised():
    bare = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "raise NewsdeskError(" in line
    ]
    assert bare == []


@pytest.mark.parametrize(
    "kind",
    [
        errors.ExportError,
        errors.ShardError,
        errors.WorkerLost,
        errors.ClusterUnavailable,
        errors.RemoteError,
        errors.ClientClosed,
    ],
)
def test_each_error_is_in_the_tree_and_exported(kind):
    assert issubclass(kind, errors.NewsdeskError) and kind.__name__ in errors.__all__
    assert kind.__name__ in errors.__doc__


def test_export_error_is_still_a_value_error():
    from training.export import ExportError

    assert ExportError is errors.ExportError and issubclass(ExportError, ValueError)
