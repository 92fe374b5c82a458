"""The importing package's modules import one another in one direction: no cycle, not even
through an import inside a function (formats.py had one with web.py and archives.py)."""

import ast
from pathlib import Path

import annotations.importing

PACKAGE = Path(annotations.importing.__file__).parent
NAME = "annotations.importing"


def imported_siblings(path: Path) -> set[str]:
    """The modules of this package that `path` imports, anywhere in its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == 1:
                names = [base] if base else [alias.name for alias in node.names]
            elif base.startswith(f"{NAME}."):
                names = [base.removeprefix(f"{NAME}.")]
            elif base == NAME:
                names = [alias.name for alias in node.names]
            else:
                continue
            found.update(name.split(".")[0] for name in names)
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.removeprefix(f"{NAME}.").split(".")[0]
                for alias in node.names
                if alias.name.startswith(f"{NAME}.")
            )
    return found & {p.stem for p in PACKAGE.glob("*.py")}


def graph() -> dict[str, set[str]]:
    return {path.stem: imported_siblings(path) for path in PACKAGE.glob("*.py")}


def test_the_parsers_import_the_record_types_and_not_each_other():
    imports = graph()
    assert imports["records"] == set()
    assert imports["decoding"] == {"records"}
    assert "formats" not in imports["web"] | imports["archives"]
    assert "formats" not in imports["decoding"]


def test_no_import_cycle_in_the_importing_package():
    imports = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, f"import cycle: {' -> '.join([*path, module])}"
        if module in done:
            return
        for imported in sorted(imports.get(module, ())):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(imports):
        visit(module, [])
