"""Make targets that must not surprise a new user."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")


def _plan(target: str) -> list[str]:
    out = subprocess.run(["make", "-n", target], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return [line for line in out.stdout.splitlines() if "newsdesk " in line]


def test_make_train_leaves_a_report_that_describes_the_new_model():
    """Issue 13: `make train` left models/desk/ without report/ until `make evaluate` ran."""
    plan = _plan("train")
    assert [line.split()[1] for line in plan] == ["train", "evaluate"]


@pytest.mark.parametrize("target", ["evaluate-summaries", "bench"])
def test_targets_needing_the_bench_extra_install_it_once(target):
    """The bench extra is installed behind a stamp file, not by every call."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    rule = next(line for line in text.splitlines() if line.startswith(f"{target}:"))
    assert "$(BENCH)" in rule
    recipe = text.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
    assert "pip install" not in recipe


def test_make_help_lists_every_target_as_readme_does():
    """There was no `make help`; its lines come from the Makefile's `## ` comments, and
    README's Make table names the same targets."""
    import re

    # As a user types it: under `make test` a sub-make would print make[1]'s directory lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    out = subprocess.run(["make", "help"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr
    listed = [line.split()[0] for line in out.stdout.splitlines()]
    assert all(len(line.split(maxsplit=1)) == 2 for line in out.stdout.splitlines())
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Make targets", 1)[1].split("\n## ", 1)[0]
    in_readme = re.findall(r"^\| `make ([a-z-]+)` \|", table, re.M)
    assert sorted(listed) == sorted(phony) == sorted(in_readme)


def test_make_serve_takes_the_env_twins_and_its_own_variables_over_them():
    """`NEWSDESK_ADDRESS=0.0.0.0:50051 make serve` served loopback: make passed its own
    --address (and --model), which override the env twins docs/grpc.md lists."""
    env = {**os.environ, "NEWSDESK_ADDRESS": "0.0.0.0:6000", "NEWSDESK_MODEL": "/srv/desk"}
    out = subprocess.run(["make", "-n", "serve"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert "serve --model /srv/desk --address 0.0.0.0:6000" in out.stdout, out.stdout
    given = ["make", "-n", "serve", "ADDRESS=127.0.0.1:7000"]
    out = subprocess.run(given, capture_output=True, text=True, cwd=ROOT, env=env)
    assert "--address 127.0.0.1:7000" in out.stdout, out.stdout
    bare = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    out = subprocess.run(
        ["make", "-n", "serve"], capture_output=True, text=True, cwd=ROOT, env=bare
    )
    assert "serve --model models/desk --address 127.0.0.1:50051" in out.stdout, out.stdout
