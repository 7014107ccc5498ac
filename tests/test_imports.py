"""Imports: every service module imports alone, nothing imports in a cycle or upward, and the
public API is what we say it is (as httpx's tests/test_exported_members.py pins its own)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SERVICE = ROOT / "service"


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(
    _name(p) for p in SERVICE.rglob("*.py") if "_proto" not in p.parts and p.name != "__main__.py"
)

# service.rpc, lowest first: a module imports only those before it (and service's own
# modules outside the package, never cli, batch or workers, which stand above it). The
# client side (wire, results, client, records) imports nothing of the server's but status.
RPC_LAYERS = [
    "wire", "status", "metrics", "config", "messages", "boundary", "slot", "streams",
    "handlers", "servicer", "interceptor", "server", "process", "results", "client", "records",
]  # fmt: skip
ABOVE_RPC = {"service.cli", "service.batch", "service.workers"}
CLIENT_SIDE = {"wire", "status", "results", "client", "records"}


def _imports(module: str, *, module_level_only: bool) -> set[str]:
    """The service modules `module` imports (relative imports resolved)."""
    path = SERVICE.parent / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = SERVICE.parent / module.replace(".", "/") / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not _type_checking_only(node, tree):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            found.update(subs if subs else [base])  # `from . import x`: x, not the package
    return {m for m in found if m in MODULES and m != module}


def _type_checking_only(node: ast.AST, tree: ast.Module) -> bool:
    for block in tree.body:
        if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING":
            if any(node is inner for inner in ast.walk(block)):
                return True
    return False


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone(module: str) -> None:
    """A fresh interpreter per module, so no earlier import can hide a cycle or a missing one."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_level_import_cycle() -> None:
    graph = {m: _imports(m, module_level_only=True) for m in MODULES}
    assert _cycle(graph) is None


def test_rpc_imports_only_downward_even_lazily() -> None:
    rpc = [m for m in MODULES if m.startswith("service.rpc.")]
    assert sorted(m.rpartition(".")[2] for m in rpc) == sorted(RPC_LAYERS)
    for i, name in enumerate(RPC_LAYERS):
        module = f"service.rpc.{name}"
        deps = _imports(module, module_level_only=False)
        assert not deps & ABOVE_RPC, (module, deps & ABOVE_RPC)
        inside = {d.rpartition(".")[2] for d in deps if d.startswith("service.rpc.")}
        assert inside <= set(RPC_LAYERS[:i]), (module, inside - set(RPC_LAYERS[:i]))
        if name in CLIENT_SIDE:
            assert inside <= CLIENT_SIDE, (module, inside - CLIENT_SIDE)
    assert _imports("service.rpc", module_level_only=False) == set()  # lazy: see its __getattr__


def test_no_service_module_over_400_lines() -> None:
    # ../shared/DECISIONS.md: every module in service/ at most ~400 lines (pages.py and
    # head_parts.py crept past it unseen while only rpc/ was held to it)
    sizes = {
        str(p.relative_to(SERVICE)): len(p.read_text(encoding="utf-8").splitlines())
        for p in SERVICE.rglob("*.py")
        if "_proto" not in p.parts
    }
    assert len(sizes) > 50 and max(sizes.values()) <= 400, {
        k: v for k, v in sizes.items() if v > 400
    }


# -- the public API ------------------------------------------------------------------------------

SERVICE_API = ["__version__"]
RPC_API = [
    "SERVICE_NAME", "STATUS_CODES", "ServerConfig", "add_serve_arguments", "config_from_args",
    "NewsdeskServer", "create_server", "serve", "ModelSlot", "Handlers", "Boundary",
    "CallFailed", "NewsDeskServicer", "error_status", "error_from_status", "NewsdeskClient",
    "Classified", "Summarised", "PageResult", "PageResults", "ModelInfo", "RemoteResult",
    "remote_results",
]  # fmt: skip


def test_service_exports() -> None:
    import service

    assert service.__all__ == SERVICE_API
    assert [m for m in dir(service) if not m.startswith("_") and m not in MODULE_NAMES] == []


MODULE_NAMES = {m.split(".")[1] for m in MODULES if m.count(".") >= 1} | {"_proto"}


def test_rpc_exports_resolve_to_their_home_module() -> None:
    import service.rpc as rpc

    assert rpc.__all__ == RPC_API
    for name in rpc.__all__:
        value = getattr(rpc, name)
        home = getattr(value, "__module__", None)
        if home is not None and isinstance(value, type | type(len) | type(_cycle)):
            assert home.startswith("service.rpc.") or home == "service.errors", (name, home)
    public = {m for m in dir(rpc) if not m.startswith("_") and m not in RPC_API}
    assert public <= {m.rpartition(".")[2] for m in MODULES if m.startswith("service.rpc.")} | {
        "annotations", "importlib", "TYPE_CHECKING", "Any",
    }  # fmt: skip


def test_every_rpc_module_declares_all_and_it_resolves() -> None:
    import importlib

    for name in RPC_LAYERS:
        module = importlib.import_module(f"service.rpc.{name}")
        assert module.__all__, name
        for member in module.__all__:
            assert hasattr(module, member), (name, member)
