"""The layout shows the flow: the two formats are sibling packages that never import each
other, the shared steps import neither (only formats.py chooses one), and no module imports
its way back to itself. Read from the source, so that an import hidden in a function counts."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "fluent_launch"
FORMATS = ("fluent_launch.classic", "fluent_launch.yaml")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports(name: str, typing: bool) -> set[str]:
    """The launcher's modules `name` imports anywhere in its code; with `typing`, also those
    imported for mypy only (under `if TYPE_CHECKING:`)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node) and not typing:
            for other in node.orelse:
                visit(other)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                # `from package import module` imports the module; `from module import name`, the module.
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(MODULES[name].read_text()))
    return {module for module in found if module in MODULES and module != name}


def _format_of(name: str) -> str | None:
    return next((package for package in FORMATS if name == package or name.startswith(package + ".")), None)


def test_the_modules_are_found() -> None:
    assert {"fluent_launch.cli", "fluent_launch.classic.parse", "fluent_launch.yaml.syntax"} <= set(MODULES)


@pytest.mark.parametrize("name", sorted(name for name in MODULES if _format_of(name) is not None))
def test_a_format_imports_nothing_of_the_other(name: str) -> None:
    own = _format_of(name)
    others = {module for module in imports(name, typing=True) if _format_of(module) not in (None, own)}
    assert not others, f"{name} imports the other format's {sorted(others)}"


@pytest.mark.parametrize("name", sorted(name for name in MODULES if _format_of(name) is None))
def test_only_formats_chooses_a_format(name: str) -> None:
    chosen = {module for module in imports(name, typing=True) if _format_of(module) is not None}
    if name == "fluent_launch.formats":
        assert {_format_of(module) for module in chosen} == set(FORMATS)
    else:
        assert not chosen, f"{name} imports {sorted(chosen)}: only formats.py may know the formats"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as the path that closes it, or None."""
    done: set[str] = set()

    def walk(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for module in sorted(graph[name]):
            found = walk(module, [*path, name])
            if found:
                return found
        done.add(name)
        return None

    return next((cycle for name in sorted(graph) if (cycle := walk(name, [])) is not None), None)


def test_no_module_imports_its_way_back_to_itself() -> None:
    graph = {name: imports(name, typing=False) for name in MODULES}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_opens_with_one_sentence_saying_its_job(name: str) -> None:
    docstring = ast.get_docstring(ast.parse(MODULES[name].read_text()))
    assert docstring, f"{name} has no docstring"
    first = " ".join(docstring.split("\n\n")[0].split())
    assert first.endswith("."), f"{name}: {first!r}"


@pytest.mark.parametrize(
    ("path", "data", "other"),
    [
        ("x.conf", b"[INPUT]\n    Name dummy\n", "fluent_launch.yaml"),
        ("x.yaml", b"pipeline:\n  inputs:\n    - name: dummy\n", "fluent_launch.classic"),
    ],
    ids=["classic", "yaml"],
)
def test_a_launch_imports_nothing_of_the_other_format(path: str, data: bytes, other: str) -> None:
    probe = (
        "import sys; from fluent_launch import cli, formats;"
        f"formats.edit_config({path!r}, {data!r}, {{}}, False);"
        f"print(sorted(name for name in sys.modules if name.startswith({other!r})))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=PACKAGE.parent, check=True)
    assert done.stdout == "[]\n"
