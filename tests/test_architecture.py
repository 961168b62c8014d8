"""The layout rules of docs/development.md, checked on the source so a change cannot drift.

- No app imports a private name (``_x``) of another app: what two apps share is public, in the
  app that owns it or in ``tinhuy.documents``.
- ``tinhuy.documents`` (files in and out) imports no app.
- ``tinhuy/api.py`` (which imports every router) is imported by no module but ``tinhuy.urls``:
  the routers take their helpers from ``tinhuy.apikit``, so there is no import circle.
- Reading a spreadsheet happens in ``tinhuy.documents.tables`` only (one reader, calamine).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import tinhuy

ROOT = Path(tinhuy.__file__).resolve().parent


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        yield name.removesuffix(".__init__"), ast.parse(path.read_text(encoding="utf-8"))


def imports(tree: ast.Module) -> Iterator[tuple[str, list[str]]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else parts[-1]


def test_no_app_imports_a_private_name_of_another_app() -> None:
    found = [
        f"{name}: from {source} import {imported}"
        for name, tree in modules()
        for source, names in imports(tree)
        if source.startswith("tinhuy.") and app_of(source) != app_of(name)
        for imported in names
        if imported.startswith("_") and not imported.startswith("__")
    ]
    assert found == []


def test_documents_imports_no_app() -> None:
    allowed = ("tinhuy.documents", "tinhuy.search.text")
    found = [
        f"{name}: {source}"
        for name, tree in modules()
        if name.startswith("tinhuy.documents")
        for source, _names in imports(tree)
        if source.startswith("tinhuy.") and not source.startswith(allowed)
    ]
    assert found == []


def test_the_api_module_is_imported_by_urls_only() -> None:
    found = [
        name
        for name, tree in modules()
        for source, names in imports(tree)
        if source == "tinhuy.api" or (source == "tinhuy" and "api" in names)
    ]
    assert found == ["tinhuy.urls"]


def reads_a_spreadsheet(tree: ast.Module) -> list[str]:
    """Calls of a spreadsheet reader: ``csv.reader``/``csv.DictReader``, openpyxl's
    ``load_workbook``, calamine's workbook."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            called = f"{func.value.id}.{func.attr}"
        elif isinstance(func, ast.Attribute):
            called = func.attr
        elif isinstance(func, ast.Name):
            called = func.id
        else:
            continue
        if (
            called in ("csv.reader", "csv.DictReader", "load_workbook", "openpyxl.load_workbook")
            or called.startswith("CalamineWorkbook")
            or called.endswith("from_filelike")
        ):
            found.append(called)
    return found


def test_spreadsheets_are_read_in_one_place() -> None:
    found = [
        f"{name}: {call}"
        for name, tree in modules()
        if name != "tinhuy.documents.tables"
        for call in reads_a_spreadsheet(tree)
    ]
    assert found == []
