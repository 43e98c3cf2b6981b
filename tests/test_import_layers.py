"""The package's imports point one way (docs/stages.md): foundation → audio → features/ssl →
data → models → metrics → train/infer → bin, and no two modules import each other in a cycle.
(metrics sits below train/infer: model selection on dev uses the official EER.)"""
from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "spoofcm"
FOUNDATION = ("errors", "fsutil", "labels", "schema", "config", "tracks", "device", "statedict")
LAYER = {**{m: 0 for m in FOUNDATION}, "audio": 1, "features": 2, "ssl": 2, "data": 3,
         "models": 4, "metrics": 5, "train": 6, "infer": 6, "export": 7, "bin": 8}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, bool]]:
    """spoofcm modules imported by ``path`` and whether at module level (not inside a def)."""
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.startswith("spoofcm."):
                out.append((name, id(node) in top))
    return out


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    return LAYER.get(parts[1]) if len(parts) > 1 else None


def known(module: str, modules: set[str]) -> str | None:
    while module and module not in modules:
        module = module.rpartition(".")[0]
    return module or None


def test_imports_lean_one_way():
    bad = []
    for path in SRC.rglob("*.py"):
        me = module_name(path)
        mine = layer_of(me)
        if mine is None:
            continue
        for name, _ in imports(path):
            theirs = layer_of(name)
            if theirs is not None and theirs > mine:
                bad.append(f"{me} (layer {mine}) imports {name} (layer {theirs})")
    assert not bad, "\n".join(sorted(set(bad)))


def test_no_import_cycles_at_module_level():
    modules = {module_name(p) for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for path in SRC.rglob("*.py"):
        me = module_name(path)
        for name, top in imports(path):
            target = known(name, modules)
            if top and target and target != me and not me.startswith(target + "."):
                graph[me].add(target)
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
