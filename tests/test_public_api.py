"""The curated public API: sorted, complete, every name real, and light to import."""

from __future__ import annotations

import subprocess
import sys

import leerlingimport


def test_all_is_sorted_and_matches_the_exports() -> None:
    assert leerlingimport.__all__ == sorted(leerlingimport.__all__)
    assert set(leerlingimport.__all__) == set(leerlingimport._EXPORTS)


def test_every_name_resolves() -> None:
    for name in leerlingimport.__all__:
        assert getattr(leerlingimport, name) is not None


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = "import sys, leerlingimport; print(sorted({'pandas', 'sqlalchemy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_steps_are_the_functions_the_readme_shows() -> None:
    """``from leerlingimport import ingest`` is the function, also after its module loaded."""
    import leerlingimport.intake.reader
    import leerlingimport.validation  # noqa: F401
    from leerlingimport import check_file, ingest, run_import, validate

    for step in (ingest, validate, check_file, run_import):
        assert callable(step) and step.__name__ in (
            "ingest",
            "validate",
            "check_file",
            "run_import",
        )


def test_the_package_has_no_import_cycle() -> None:
    """Module-level imports between the package's modules form no cycle (imports inside a
    function or under TYPE_CHECKING are for laziness and types, and are not counted)."""
    import ast
    from pathlib import Path

    root = Path(leerlingimport.__file__).parent
    modules = {}
    for path in root.rglob("*.py"):
        if "migrations" not in path.parts:
            parts = path.relative_to(root.parent).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:  # 'from package import module' imports the module
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if sub in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m.startswith("leerlingimport") and m != name}

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            cycle = " → ".join([*trail[trail.index(node) :], node])
            raise AssertionError(f"import cycle: {cycle}")
        for nxt in graph.get(node, ()):
            visit(nxt, [*trail, node])

    for module in graph:
        visit(module, [])
