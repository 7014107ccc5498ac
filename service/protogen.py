"""Regenerate the gRPC stubs in service/_proto from protos/, so the contract has one source."""

from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path

__all__ = ["PROTOS", "OUT", "generate", "main"]

ROOT = Path(__file__).resolve().parents[1]
PROTOS = ROOT / "protos"
OUT = Path(__file__).resolve().parent / "_proto"

# protoc writes `from newsdesk.v1 import newsdesk_pb2`, which only imports with protos/ on
# sys.path; the stubs live inside the service package, so point them there.
_LOCAL_IMPORT = re.compile(r"^from (newsdesk(?:\.\w+)*) import (\w+_pb2)", re.MULTILINE)


# Only our own contract; protos/google and protos/grpc are vendored (THIRD_PARTY.md), and
# their Python stubs come from the packages we depend on.
OWN = ("newsdesk",)


def _include_dirs() -> list[Path]:
    """protos/ (ours and the vendored imports) and protoc's well-known types (grpc_tools)."""
    return [PROTOS, Path(str(resources.files("grpc_tools") / "_proto"))]


def generate(out: Path = OUT) -> list[Path]:
    """Write *_pb2.py, *_pb2.pyi and *_pb2_grpc.py for every proto under protos/ into `out`."""
    from grpc_tools import protoc

    sources = sorted(
        p.relative_to(PROTOS).as_posix() for own in OWN for p in (PROTOS / own).rglob("*.proto")
    )
    out.mkdir(parents=True, exist_ok=True)
    args = ["grpc_tools.protoc", *(f"-I{d}" for d in _include_dirs())]
    args += [f"--python_out={out}", f"--pyi_out={out}", f"--grpc_python_out={out}", *sources]
    if protoc.main(args) != 0:
        raise RuntimeError(f"protoc failed on {sources}; run it by hand to see its message")
    written = sorted(p for p in out.rglob("*.py*") if "__pycache__" not in p.parts)
    for path in written:
        text = path.read_text(encoding="utf-8")
        fixed = _LOCAL_IMPORT.sub(r"from service._proto.\1 import \2", text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")
    # Every folder must be a package for `service._proto.newsdesk.v1` to import.
    for folder in {out, *(p.parent for p in written)}:
        while True:
            init = folder / "__init__.py"
            if not init.exists():
                init.write_text("", encoding="utf-8")
            if folder == out:
                break
            folder = folder.parent
    return sorted(p for p in out.rglob("*.py*") if "__pycache__" not in p.parts)


def main() -> int:
    for path in generate():
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
