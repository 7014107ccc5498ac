"""`python -m tests.bench`: every figure, ours against its baseline, into build/bench.json.

Sections run in order; one whose piece has not landed prints "skipped: why" and the run goes
on, so `make bench` always completes. A section that fails for another reason prints its
error and makes the exit code 1, after the others have run.
"""

from __future__ import annotations

import os

# Before numpy loads: "single core" must mean one core for BLAS and OpenMP too.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from .common import ROOT, Context, Figure, Skip  # noqa: E402

SECTIONS = ("segment", "pages", "classify", "cli", "summarise", "grpc", "http", "train")


def _section(name: str):
    import importlib

    return importlib.import_module(f".bench_{name}", __package__)


def _table(figures: list[Figure]) -> str:
    rows = [("metric", "ours", "baseline", "ratio", "target", "")]
    for f in figures:
        base = "" if f.baseline is None else f"{f.baseline:,.4g} ({f.baseline_name})"
        ratio = "" if f.ratio is None else f"{f.ratio:,.2f}x"
        met = {True: "ok", False: "MISSED", None: ""}[f.met]
        rows.append((f.metric, f"{f.ours:,.4g} {f.unit}", base, ratio, f.target or "", met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def _write(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("NEWSDESK_DATA", ROOT.parent / "shared" / "data")),
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=Path(os.environ.get("NEWSDESK_MODEL", ROOT / "models" / "desk")),
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated sections of {SECTIONS}"
    )
    parser.add_argument("--quick", action="store_true", help="smaller samples, for a smoke run")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; choose from {SECTIONS}")

    work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    ctx = Context(data=args.data.resolve(), model=args.model.resolve(), out=args.out,
                  work=work, quick=args.quick)  # fmt: skip
    figures: list[Figure] = []
    sections: dict[str, str] = {}
    started = time.perf_counter()
    try:
        for name in only:
            print(f"[{name}] ...", file=sys.stderr, flush=True)
            t = time.perf_counter()
            try:
                got = _section(name).run(ctx)
            except Skip as why:
                sections[name] = f"skipped: {why}"
                print(f"[{name}] skipped: {why}", file=sys.stderr, flush=True)
                continue
            except Exception:
                sections[name] = "failed: " + traceback.format_exc(limit=3).strip().splitlines()[-1]
                print(f"[{name}] failed:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
                continue
            figures.extend(got)
            sections[name] = f"ok in {time.perf_counter() - t:.1f} s"
            print(f"[{name}] {sections[name]}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    # bench.json is the list of figures; how the run went sits beside it in bench-run.json.
    run = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },  # fmt: skip
        "quick": args.quick,
        "seconds": round(time.perf_counter() - started, 1),
        "sections": sections,
    }
    _write(args.out, [f.as_dict() for f in figures])
    _write(args.out.with_name(args.out.stem + "-run.json"), run)
    print(_table(figures))
    for name, state in sections.items():
        if not state.startswith("ok"):
            print(f"{name}: {state}")
    print(f"wrote {args.out}")
    return 1 if any(s.startswith("failed") for s in sections.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
