"""``tinhuy backup FILE`` and ``tinhuy restore FILE`` (``tinhuy/ops/backup.py``).

The command-line tests run ``tinhuy`` in subprocesses against a throw-away SQLite file, whatever
database the test run itself uses, so they run the same on CI's SQLite and PostgreSQL runs. The
other tests call the functions directly on small SQLite files made here.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tinhuy.ops.backup import (
    REQUIRED_TABLES,
    BackupError,
    backup_database,
    backup_sqlite,
    check_restore,
    pg_dump_command,
    pg_restore_command,
    restore_database,
    restore_sqlite,
)

DEMO_PASSWORD = "mat-khau-sao-luu-1"


def dump(db: Path) -> list[str]:
    """Every table's schema and rows, as SQL text: equal dumps mean equal databases."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def copy_database(src: Path, dest: Path) -> None:
    source, target = sqlite3.connect(src), sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


@dataclass
class Site:
    """A Tỉnh ủy số installation in a temporary directory, driven through its command line."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "t.sqlite3"

    def tinhuy(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "TINHUY_DATABASE_URL": f"sqlite:///{self.db}",
            "TINHUY_VAR_DIR": str(self.root / "var"),
            "TINHUY_DEMO_PASSWORD": DEMO_PASSWORD,
        }
        result = subprocess.run(  # noqa: S603 - our own command line, with fixed arguments
            [sys.executable, "-m", "tinhuy.cli", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        command = shlex.join(["tinhuy", *args])
        if ok:
            assert result.returncode == 0, f"{command} failed:\n{result.stdout}{result.stderr}"
        else:
            assert result.returncode != 0, f"{command} should have failed:\n{result.stdout}"
        return result


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the demo loaded, made once through the command line."""
    site = Site(tmp_path_factory.mktemp("template"))
    site.tinhuy("migrate", "--no-input", "--skip-checks", "-v0")
    site.tinhuy("demo")
    return site.db


@pytest.fixture
def site(demo_database: Path, tmp_path: Path) -> Site:
    """A fresh installation holding a copy of the demo database."""
    site = Site(tmp_path)
    copy_database(demo_database, site.db)
    return site


def test_restore_brings_back_exactly_the_database_at_backup_time(site: Site) -> None:
    """Backup, a change (a new API token and its audit event), restore: the change is gone and
    every table equals what it was when the backup was made. A second backup to the same file is
    refused without --force, and allowed with it."""
    at_backup = dump(site.db)

    result = site.tinhuy("backup", "b.sqlite3")
    assert f"Đã sao lưu {site.db} vào b.sqlite3" in result.stdout
    backup = site.root / "b.sqlite3"
    assert dump(backup) == at_backup

    site.tinhuy("token", "create", "vinh")
    changed = dump(site.db)
    assert changed != at_backup
    assert any("accounts_apitoken" in line and "INSERT" in line for line in changed)

    refused = site.tinhuy("backup", "b.sqlite3", ok=False)
    assert "--force" in refused.stderr
    assert dump(backup) == at_backup, "a refused backup must not touch the existing file"

    result = site.tinhuy("restore", "b.sqlite3", "--yes")
    assert f"Đã phục hồi {site.db} từ b.sqlite3" in result.stdout
    assert dump(site.db) == at_backup

    site.tinhuy("backup", "b.sqlite3", "--force")
    assert dump(backup) == at_backup


def test_restore_refuses_files_that_are_not_our_database_and_changes_nothing(site: Site) -> None:
    """Garbage bytes, and a SQLite database of another program, are refused with a message that
    says why; the live database is left exactly as it was."""
    before = dump(site.db)
    (site.root / "garbage.sqlite3").write_bytes(b"khong phai co so du lieu\x00\xff" * 200)
    other = sqlite3.connect(site.root / "other.sqlite3")
    other.execute("CREATE TABLE notes (body TEXT)")
    other.execute("INSERT INTO notes VALUES ('ghi chú')")
    other.commit()
    other.close()

    result = site.tinhuy("restore", "garbage.sqlite3", "--yes", ok=False)
    assert "không phải cơ sở dữ liệu SQLite" in result.stderr
    result = site.tinhuy("restore", "other.sqlite3", "--no-input", ok=False)
    assert "không phải của Tỉnh ủy số" in result.stderr
    assert "org_unit" in result.stderr

    assert dump(site.db) == before


# --- The functions, on small hand-made databases ----------------------------------------------


def make_database(path: Path, *, wal: bool = True) -> sqlite3.Connection:
    """A tiny database with the tables a backup must have, and one unit; left open."""
    conn = sqlite3.connect(path, isolation_level=None)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    for table in REQUIRED_TABLES:
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO org_unit (name) VALUES ('Đảng bộ thành phố Vinh')")
    return conn


def test_a_backup_is_one_checked_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    """The copy uses a rollback journal (no -wal file needed beside it), is mode 0600, reports
    what it holds, and leaves no temporary file behind."""
    make_database(tmp_path / "live.sqlite3").close()
    (tmp_path / "backups").mkdir()
    dest = tmp_path / "backups" / "b.sqlite3"

    info = backup_sqlite(tmp_path / "live.sqlite3", dest)

    assert (info.path, info.units, info.audit_events) == (dest, 1, 0)
    assert os.listdir(tmp_path / "backups") == ["b.sqlite3"]
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_a_backup_taken_during_a_write_holds_only_committed_data(tmp_path: Path) -> None:
    """While another connection is in the middle of a write transaction (the server saving a
    form), the backup goes ahead and copies the last committed state."""
    live = tmp_path / "live.sqlite3"
    writer = make_database(live)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO org_unit (name) VALUES ('chưa ghi xong')")

    backup_sqlite(live, tmp_path / "b.sqlite3")

    writer.execute("ROLLBACK")
    writer.close()
    assert [line for line in dump(tmp_path / "b.sqlite3") if "INSERT" in line] == [
        """INSERT INTO "org_unit" VALUES(1,'Đảng bộ thành phố Vinh');"""
    ]


def test_a_connection_left_open_sees_the_restored_data(tmp_path: Path) -> None:
    """The restore writes through SQLite itself, so a connection that stayed open (a server
    worker) reads the restored rows, not a file swapped under it."""
    live = tmp_path / "live.sqlite3"
    make_database(live).close()
    backup_sqlite(live, tmp_path / "b.sqlite3")
    worker = sqlite3.connect(live, isolation_level=None)
    worker.execute("INSERT INTO org_unit (name) VALUES ('thêm sau khi sao lưu')")

    restore_sqlite(tmp_path / "b.sqlite3", live)

    assert worker.execute("SELECT count(*) FROM org_unit").fetchone()[0] == 1
    assert worker.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    worker.close()


def test_backup_and_restore_refuse_to_use_the_live_database_as_the_other_file(
    tmp_path: Path,
) -> None:
    """Backing up onto the live database, even with overwrite, or restoring it onto itself, is
    refused."""
    live = tmp_path / "live.sqlite3"
    make_database(live).close()
    before = dump(live)
    with pytest.raises(BackupError, match="chính là cơ sở dữ liệu đang dùng"):
        backup_sqlite(live, live, overwrite=True)
    with pytest.raises(BackupError, match="chính là cơ sở dữ liệu đang dùng"):
        restore_sqlite(live, live)
    assert dump(live) == before


def test_restore_refuses_a_missing_file(tmp_path: Path) -> None:
    """A file name that does not exist is named in the message."""
    make_database(tmp_path / "live.sqlite3").close()
    with pytest.raises(BackupError, match="Không tìm thấy tệp sao lưu"):
        restore_sqlite(tmp_path / "khong-co.sqlite3", tmp_path / "live.sqlite3")


# --- PostgreSQL: the commands say what to run instead -----------------------------------------

PG = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "tinhuy",
    "USER": "tinhuy_app",
    "PASSWORD": "bi-mat",
    "HOST": "db.tinhuy.local",
    "PORT": 5433,
}


def test_pg_dump_command_is_built_from_the_database_settings_without_the_password() -> None:
    """Host, port, user and name come from the settings; the password stays off the command
    line (pg_dump reads PGPASSWORD or ~/.pgpass)."""
    assert pg_dump_command(PG, "/srv/sao-luu/tinhuy.dump") == [
        "pg_dump",
        "--format=custom",
        "--host",
        "db.tinhuy.local",
        "--port",
        "5433",
        "--username",
        "tinhuy_app",
        "--file",
        "/srv/sao-luu/tinhuy.dump",
        "tinhuy",
    ]


def test_pg_restore_command_cleans_and_restores_in_one_transaction() -> None:
    """pg_restore drops what the dump recreates and restores all or nothing; settings left
    empty (a local socket, the default port) are left out."""
    local = {**PG, "HOST": "", "PORT": "", "USER": "postgres"}
    assert pg_restore_command(local, "tinhuy.dump") == [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--username",
        "postgres",
        "--dbname",
        "tinhuy",
        "tinhuy.dump",
    ]


def test_on_postgresql_backup_and_restore_stop_with_the_command_to_run(tmp_path: Path) -> None:
    """Nothing is written or read; the message holds the full pg_dump / pg_restore line."""
    dump_file = tmp_path / "tinhuy.dump"
    with pytest.raises(BackupError) as backup_error:
        backup_database(PG, dump_file)
    assert shlex.join(pg_dump_command(PG, dump_file)) in str(backup_error.value)
    assert "bi-mat" not in str(backup_error.value)
    for refuse_restore in (check_restore, restore_database):
        with pytest.raises(BackupError) as restore_error:
            refuse_restore(PG, dump_file)
        assert shlex.join(pg_restore_command(PG, dump_file)) in str(restore_error.value)
    assert not dump_file.exists()


def test_other_database_engines_are_refused(tmp_path: Path) -> None:
    """Only SQLite and PostgreSQL are supported."""
    mysql = {**PG, "ENGINE": "django.db.backends.mysql"}
    with pytest.raises(BackupError, match="mysql"):
        backup_database(mysql, tmp_path / "b")
