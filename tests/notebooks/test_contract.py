"""The notebook contract (house style rule 1): thin notebooks of package calls."""

from __future__ import annotations

import ast
import json

import papermill
import pytest

from leerlingimport.workbook import STEPS
from leerlingimport.workbook.book import NOTEBOOKS

NAMES = [step.notebook for step in STEPS]
FORBIDDEN = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.For,
    ast.While,
    ast.Try,
    ast.With,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _notebook(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((NOTEBOOKS / name).read_text())


def test_the_five_notebooks_are_there_and_nothing_else() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)
    assert sorted(NAMES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs_with_the_python3_kernel(name: str) -> None:
    book = _notebook(name)
    assert book["metadata"]["kernelspec"]["name"] == "python3"
    for cell in book["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"]


@pytest.mark.parametrize("name", NAMES)
def test_a_title_then_one_cell_of_literal_parameters(name: str) -> None:
    cells = _notebook(name)["cells"]
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is cells[1]
    for statement in ast.parse("".join(tagged[0]["source"])).body:
        assert isinstance(statement, ast.Assign), ast.dump(statement)
        assert isinstance(statement.value, ast.Constant), ast.unparse(statement)


@pytest.mark.parametrize("name", NAMES)
def test_no_logic_and_imports_only_from_the_package(name: str) -> None:
    for cell in _notebook(name)["cells"][2:]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        for node in ast.walk(tree):
            assert not isinstance(node, FORBIDDEN), ast.unparse(node)
            assert not isinstance(node, ast.Import), ast.unparse(node)
            if isinstance(node, ast.ImportFrom):
                assert node.module == "leerlingimport", ast.unparse(node)
        assert len(tree.body) <= 5


@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_parameters_are_what_the_runner_passes(step) -> None:  # type: ignore[no-untyped-def]
    declared = papermill.inspect_notebook(str(NOTEBOOKS / step.notebook))
    assert set(declared) == set(step.parameters)
    if "show_personal_data" in declared:
        assert declared["show_personal_data"]["default"] == "False"
