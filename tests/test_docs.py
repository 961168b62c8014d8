"""The documentation agrees with the code: settings, and the README's two commands."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The modules that read the environment; everything else reads Django's settings.
ENVIRONMENT_READERS = ("tinhuy/settings.py", "tinhuy/env.py", "tinhuy/demo.py")
SETTING = re.compile(r"TINHUY_[A-Z_]+")


def read(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def variables_read_by_the_code() -> set[str]:
    """``TINHUY_*`` names written as string literals: the names looked up in the environment.

    Bare names such as ``TINHUY_API_PAGE_SIZE = 50`` are Django settings fixed in the code, not
    something a deployment sets, so they are not part of the documented contract.
    """
    names: set[str] = set()
    for path in ENVIRONMENT_READERS:
        for node in ast.walk(ast.parse(read(path), filename=path)):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and SETTING.fullmatch(node.value):
                names.add(node.value)
    return names


def documented(path: str) -> set[str]:
    return set(SETTING.findall(read(path)))


def test_every_environment_variable_the_code_reads_is_documented() -> None:
    """A new ``env_*("TINHUY_…")`` needs its row in docs/settings.md."""
    read_by_code = variables_read_by_the_code()
    assert "TINHUY_DATABASE_URL" in read_by_code  # the scan itself works
    assert read_by_code - documented("docs/settings.md") == set()


def test_every_documented_variable_is_read_by_the_code() -> None:
    """docs/settings.md lists no variable the code has stopped reading, or never read."""
    assert documented("docs/settings.md") - variables_read_by_the_code() == set()


def test_the_operations_guide_names_only_documented_variables() -> None:
    """Every ``TINHUY_*`` in docs/operations.md is one from docs/settings.md."""
    assert documented("docs/operations.md") - documented("docs/settings.md") == set()


def test_readme_starts_with_the_two_commands() -> None:
    """A newcomer meets ``make run`` and ``make test`` in the README's first 15 lines."""
    top = "\n".join(read("README.md").splitlines()[:15])
    assert "make run" in top
    assert "make test" in top
