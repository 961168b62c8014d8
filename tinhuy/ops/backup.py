"""Backup and restore of the database.

SQLite goes through SQLite's online backup API, in both directions: a backup reads one consistent
snapshot while the server goes on writing (WAL mode), and a restore writes through SQLite's own
locking and journal, so connections that stay open see the restored data instead of a file
swapped under them. PostgreSQL is left to ``pg_dump`` and ``pg_restore``: for it the commands stop
and print the exact command line to run instead.

Nothing here writes an audit event: a restore replaces the audit log itself, and the restored
database must equal the backup exactly. The tantivy search index is not in a backup (it is
derived from the database); a restore rebuilds it.
"""

from __future__ import annotations

import logging
import os
import shlex
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from tinhuy.progress import ProgressCallback

logger = logging.getLogger(__name__)

SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRESQL_ENGINES = ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2")

# Tables every Tỉnh ủy số database has; a file without them is some other program's database.
REQUIRED_TABLES = ("django_migrations", "auth_user", "org_unit", "audit_auditevent")


class BackupError(Exception):
    """A backup or restore was refused or failed; the message is for the operator."""


@dataclass(frozen=True)
class BackupInfo:
    """What a checked backup file holds, to show the operator before and after a restore."""

    path: Path
    size: int
    units: int | None  # None: the database has no such table (not migrated)
    audit_events: int | None


# --- PostgreSQL ------------------------------------------------------------------------------


def _connection_options(db: Mapping[str, Any]) -> list[str]:
    # The password is never put on a command line (it would show in `ps` and shell history):
    # pg_dump and pg_restore read it from PGPASSWORD or ~/.pgpass.
    options: list[str] = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        value = db.get(key)
        if value not in (None, ""):
            options += [flag, str(value)]
    return options


def pg_dump_command(db: Mapping[str, Any], dest: str | os.PathLike[str]) -> list[str]:
    """The ``pg_dump`` command that backs up the database ``db`` (Django settings) into ``dest``."""
    return [
        "pg_dump",
        "--format=custom",
        *_connection_options(db),
        "--file",
        os.fspath(dest),
        str(db["NAME"]),
    ]


def pg_restore_command(db: Mapping[str, Any], src: str | os.PathLike[str]) -> list[str]:
    """The ``pg_restore`` command that replaces the database ``db`` with the dump ``src``.

    ``--clean --if-exists`` drops what the dump recreates, ``--no-owner`` makes the configured
    user own the restored tables, ``--single-transaction`` restores all or nothing.
    """
    return [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *_connection_options(db),
        "--dbname",
        str(db["NAME"]),
        os.fspath(src),
    ]


# --- SQLite ----------------------------------------------------------------------------------


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _read_only(path: Path) -> sqlite3.Connection:
    # Read-only, so a wrong file given by mistake is never changed by looking at it.
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def _integrity(conn: sqlite3.Connection) -> str:
    """``ok``, or the first few problems ``PRAGMA integrity_check`` found."""
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows[:5])


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _describe(conn: sqlite3.Connection, path: Path) -> BackupInfo:
    """Size and a few counts of the database file ``path``, open as ``conn``."""
    tables = _tables(conn)

    def count(table: str) -> int | None:
        if table not in tables:
            return None
        # The table name is one of two constants below, never user input.
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608

    return BackupInfo(
        path=path,
        size=path.stat().st_size,
        units=count("org_unit"),
        audit_events=count("audit_auditevent"),
    )


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable: without it a power cut may leave the old name.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_backup(src: Path) -> BackupInfo:
    """Check that ``src`` is a sound SQLite database of Tỉnh ủy số; raise BackupError if not."""
    if not src.is_file():
        raise BackupError(_("Không tìm thấy tệp sao lưu %(path)s.") % {"path": src})
    try:
        conn = _read_only(src)
        try:
            tables = _tables(conn)
            missing = [name for name in REQUIRED_TABLES if name not in tables]
            if missing:
                raise BackupError(
                    _(
                        "Tệp %(path)s là cơ sở dữ liệu SQLite nhưng không phải của Tỉnh ủy số "
                        "(thiếu bảng %(tables)s). Không phục hồi."
                    )
                    % {"path": src, "tables": ", ".join(missing)}
                )
            result = _integrity(conn)
            if result != "ok":
                raise BackupError(
                    _("Tệp %(path)s bị hỏng (integrity_check: %(result)s). Không phục hồi.")
                    % {"path": src, "result": result}
                )
            return _describe(conn, src)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            _("Tệp %(path)s không phải cơ sở dữ liệu SQLite (%(error)s). Không phục hồi.")
            % {"path": src, "error": exc}
        ) from exc


def backup_sqlite(db_path: Path, dest: Path, *, overwrite: bool = False) -> BackupInfo:
    """Copy the live SQLite database ``db_path`` into ``dest``; safe while the server runs.

    The copy is written to a temporary file beside ``dest``, checked with ``PRAGMA
    integrity_check``, and only then renamed into place, so ``dest`` is never a half-written or
    unchecked file and a failed run leaves an older backup of the same name intact. The copy is
    one self-contained file (rollback journal, not WAL), readable by its owner only.
    """
    if not db_path.is_file():
        raise BackupError(_("Không tìm thấy cơ sở dữ liệu %(path)s.") % {"path": db_path})
    if dest.is_dir():
        raise BackupError(_("%(path)s là một thư mục; hãy cho tên tệp.") % {"path": dest})
    if dest.exists() and _same_file(dest, db_path):
        raise BackupError(
            _("Tệp sao lưu %(path)s chính là cơ sở dữ liệu đang dùng.") % {"path": dest}
        )
    if (dest.exists() or dest.is_symlink()) and not overwrite:
        raise BackupError(_("Tệp %(path)s đã có; dùng --force để ghi đè.") % {"path": dest})
    if not dest.parent.is_dir():
        raise BackupError(_("Không có thư mục %(path)s.") % {"path": dest.parent})

    try:
        # mkstemp creates the file for its owner only: a backup holds password hashes.
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise BackupError(_("Sao lưu thất bại: %(error)s") % {"error": exc}) from exc
    tmp = Path(tmp_name)
    try:
        source = sqlite3.connect(db_path, timeout=20)
        try:
            copy = sqlite3.connect(tmp)
            try:
                # One step (pages=-1): the whole copy is read in one read transaction, so it is
                # a consistent snapshot; in WAL mode the server's writers go on meanwhile.
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
                result = _integrity(copy)
            finally:
                copy.close()
        finally:
            source.close()
        if result != "ok":
            raise BackupError(
                _("Bản sao không qua được kiểm tra toàn vẹn (%(result)s); không ghi %(path)s.")
                % {"result": result, "path": dest}
            )
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
        conn = _read_only(dest)
        try:
            info = _describe(conn, dest)
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(_("Sao lưu thất bại: %(error)s") % {"error": exc}) from exc
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("Backed up %s to %s", db_path, dest)
    return info


def _check_restore_sqlite(src: Path, db_path: Path) -> BackupInfo:
    if src.exists() and db_path.exists() and _same_file(src, db_path):
        raise BackupError(
            _("Tệp %(path)s chính là cơ sở dữ liệu đang dùng; không có gì để phục hồi.")
            % {"path": src}
        )
    return check_backup(src)


def restore_sqlite(src: Path, db_path: Path) -> BackupInfo:
    """Replace the content of the SQLite database ``db_path`` with the backup ``src``.

    ``src`` is checked first (a SQLite database, with our tables, passing ``integrity_check``);
    anything else is refused and the live database is left as it was. The copy goes through the
    backup API into the live database, so its WAL and any open connections stay consistent.
    """
    info = _check_restore_sqlite(src, db_path)
    try:
        source = _read_only(src)
        try:
            live = sqlite3.connect(db_path, timeout=20)
            try:
                source.backup(live)
            finally:
                live.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(_("Phục hồi thất bại: %(error)s") % {"error": exc}) from exc
    logger.info("Restored %s from %s", db_path, src)
    return info


# --- Either engine ---------------------------------------------------------------------------


def _sqlite_path(db: Mapping[str, Any], file: Path, *, restore: bool) -> Path:
    """The SQLite file of ``db``; for any other engine a BackupError saying what to do instead."""
    engine = db["ENGINE"]
    if engine in POSTGRESQL_ENGINES:
        if restore:
            text = _(
                "Cơ sở dữ liệu là PostgreSQL; lệnh này chỉ phục hồi SQLite. Hãy dừng máy chủ "
                "rồi phục hồi bằng pg_restore:"
            )
            command = pg_restore_command(db, file)
        else:
            text = _(
                "Cơ sở dữ liệu là PostgreSQL; lệnh này chỉ sao lưu SQLite. Hãy sao lưu bằng "
                "pg_dump:"
            )
            command = pg_dump_command(db, file)
        hint = _("Mật khẩu lấy từ biến PGPASSWORD hoặc tệp ~/.pgpass. Xem docs/operations.md.")
        raise BackupError(f"{text}\n  {shlex.join(command)}\n{hint}")
    if engine != SQLITE_ENGINE:
        raise BackupError(
            _("Chỉ sao lưu và phục hồi được SQLite và PostgreSQL, không phải %(engine)s.")
            % {"engine": engine}
        )
    return Path(db["NAME"])


def backup_database(db: Mapping[str, Any], dest: Path, *, overwrite: bool = False) -> BackupInfo:
    """Back up the database ``db`` (an entry of Django's ``DATABASES``) into the file ``dest``.

    SQLite only; for PostgreSQL this raises BackupError carrying the ``pg_dump`` command to run.
    """
    return backup_sqlite(_sqlite_path(db, dest, restore=False), dest, overwrite=overwrite)


def check_restore(db: Mapping[str, Any], src: Path) -> BackupInfo:
    """What ``restore_database`` checks, changing nothing: to show before asking to go on.

    For PostgreSQL this raises BackupError carrying the ``pg_restore`` command to run.
    """
    return _check_restore_sqlite(src, _sqlite_path(db, src, restore=True))


def restore_database(
    db: Mapping[str, Any], src: Path, *, progress: ProgressCallback | None = None
) -> BackupInfo:
    """Replace the database ``db`` (an entry of Django's ``DATABASES``) with the backup ``src``.

    SQLite only; for PostgreSQL this raises BackupError carrying the ``pg_restore`` command.
    The search index, derived data that backups do not hold, is rebuilt from what was restored
    (the long part: ``progress(done, total)`` counts its entries). The copy itself is one step
    of SQLite's backup API, which reports nothing on the way.
    """
    info = restore_sqlite(src, _sqlite_path(db, src, restore=True))
    _rebuild_search_index(progress)
    return info


def _rebuild_search_index(progress: ProgressCallback | None = None) -> None:
    """With the tantivy engine (the default on SQLite) the index is a directory beside the
    database: after a restore it would still find what the database no longer holds. A failure
    is logged, not raised: the restore stands, and ``tinhuy search-reindex`` mends the index."""
    from django.conf import settings

    if settings.TINHUY_SEARCH_ENGINE != "tantivy":
        return
    from tinhuy.search.backends import rebuild_index

    try:
        rebuild_index(progress)
    except Exception:
        logger.exception("The search index was not rebuilt: run `tinhuy search-reindex`.")
