"""The default engine follows the database, and the tantivy index is derived data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tinhuy.ops import backup
from tinhuy.search.backends import Document, index_documents, search
from tinhuy.search.models import SearchDocument

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("", "tantivy"),
        ("sqlite:////tmp/tinhuy-engine-check.sqlite3", "tantivy"),
        ("postgres://u@127.0.0.1:5432/tinhuy", "database"),
    ],
)
def test_the_default_engine_is_tantivy_on_sqlite_and_the_database_on_postgresql(
    url: str, engine: str, tmp_path: Path
) -> None:
    env = {"TINHUY_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    if url:
        env["TINHUY_DATABASE_URL"] = url
    code = "from tinhuy import settings; print(settings.TINHUY_SEARCH_ENGINE)"
    found = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], env=env, cwd=PROJECT, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert found.stdout.strip() == engine


@pytest.mark.parametrize("search_engine", ["tantivy"], indirect=True)
def test_a_restore_rebuilds_the_index_from_the_restored_rows(
    db: None, search_engine: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Backups do not hold the index: after the data is replaced, searches find what the
    restored database holds, not what the index held before."""
    index_documents([Document("entry:xyzzy", "place", "Xyzzy", "Xyzzy thử.", "/s/")])
    assert search("xyzzy")[1] == 1
    # What a restore does to the rows, behind the index's back.
    SearchDocument.objects.filter(key="entry:xyzzy").delete()
    monkeypatch.setattr(backup, "restore_sqlite", lambda src, db_path: "restored")
    sqlite = {"ENGINE": backup.SQLITE_ENGINE, "NAME": str(tmp_path / "live.sqlite3")}

    assert backup.restore_database(sqlite, tmp_path / "b.sqlite3") == "restored"
    assert search("xyzzy") == ([], 0)
