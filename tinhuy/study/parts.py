"""Provinces' progress kept between requests, workers and restarts (``KeptPart``).

At the top of a structure of many provinces (``Structure.roll_up_by_part``) the national figure
is put together from each province's progress (``queries._progress_by_part``). A province's
part is computed from its own rows once for a date and a state of its data, then read by every
worker from here: the first national view of a worker reads 34 stored parts instead of judging
the whole country's 50,000 organisations (``make bench-national``). ``tinhuy study-warm``
computes today's after midnight and after a deploy, so that no person waits for it.

A part is keyed by all it was computed from (``Slot`` and the data versions), so a stored part
is never stale: a change under a province moves its version, and the next view computes and
stores a part under the new key. Parts are pickled: they are written only by this module,
from the database's own rows, into the same database.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import pickle
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.db import DatabaseError, transaction

from tinhuy.study.models import KeptPart

if TYPE_CHECKING:
    from tinhuy.study import compliance as c
    from tinhuy.study.queries import UnitRow

logger = logging.getLogger(__name__)


class Part(NamedTuple):
    """What the national figure reads of a province's progress, and the data versions it was
    computed at: those of the plan and the top (``shared``), the province's (``version``), of
    its own changes that reach no unit below it (``own``: its conferences, its headcount) and
    those of the organisations right below it that have rows (``sub``), so that a later change
    under one of them judges that one again, not the province (``queries._parts_of``)."""

    rows: list[UnitRow]
    totals: list[c.LevelTotals]  # in the plan's level order
    shared: tuple[int, ...] = ()
    version: int = -1
    sub: tuple[tuple[int, int], ...] = ()  # (unit id, version), by id
    own: int = 0


class Slot(NamedTuple):
    """A part but for the data versions: one stored part per slot, the latest."""

    plan_id: int
    plan_state: str
    unit_id: int
    as_of: datetime.date
    scope: Any  # "whole" when the scope sees the whole province, else the scope's paths
    language: str

    def key(self, versions: tuple[int, ...]) -> str:
        return _digest((*self, versions))

    @property
    def digest(self) -> str:
        return _digest(tuple(self))


def _release() -> str:
    """What judged a part: the code that judges and the catalogues that word its problems.
    Another release makes other keys, so a part judged by the previous one is never read (nor
    unpickled into objects whose fields have changed)."""
    here = Path(__file__).resolve().parent
    sources = [here / "compliance.py", here / "queries.py", here / "parts.py"]
    sources += sorted((here.parent / "locale").glob("*/LC_MESSAGES/django.po"))
    digest = hashlib.sha256()
    for source in sources:
        try:
            digest.update(source.read_bytes())
        except OSError:
            digest.update(source.name.encode())
    return digest.hexdigest()[:16]


RELEASE = _release()


def _digest(value: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr((RELEASE, *value)).encode()).hexdigest()


def _loaded(data: bytes) -> Part | None:
    """A stored part, or None when it cannot be read back (a kept result is never worth an
    error: it is computed again)."""
    try:
        return pickle.loads(zlib.decompress(data))  # type: ignore[no-any-return]  # noqa: S301
    except Exception as exc:
        logger.warning("A kept province's progress could not be read back: %r", exc)
        return None


def latest(slot: Slot) -> Part | None:
    """The slot's part as last stored, whatever its versions."""
    data = KeptPart.objects.filter(slot=slot.digest).values_list("data", flat=True).first()
    return None if data is None else _loaded(data)


def fetch(keys: Iterable[str]) -> dict[str, Part]:
    """The stored parts among ``keys``, in one query."""
    found = {}
    for key, data in KeptPart.objects.filter(key__in=list(keys)).values_list("key", "data"):
        part = _loaded(data)
        if part is not None:
            found[key] = part
    return found


def store(plan_id: int, slot: Slot, key: str, part: Part) -> None:
    """Keep a part for every worker; on a database that refuses writes (a read replica), the
    part is just not shared."""
    try:
        data = zlib.compress(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL), 1)
    except Exception as exc:
        logger.warning("A province's progress could not be kept: %r", exc)
        return
    try:
        with transaction.atomic():
            # The slot's older parts can never be read again: their versions have moved on.
            KeptPart.objects.filter(slot=slot.digest).exclude(key=key).delete()
            KeptPart.objects.bulk_create(
                [KeptPart(plan_id=plan_id, key=key, slot=slot.digest, as_of=slot.as_of, data=data)],
                ignore_conflicts=True,
            )
            _keep_newest(plan_id)
    except DatabaseError as exc:
        logger.warning("A province's progress could not be kept: %s", exc)


def _keep_newest(plan_id: int) -> None:
    """At most ``TINHUY_PROGRESS_PARTS_STORED`` parts per plan, the newest (other dates'
    parts, other languages' and other scopes' wait here until pushed out)."""
    kept = settings.TINHUY_PROGRESS_PARTS_STORED
    newest = KeptPart.objects.filter(plan_id=plan_id).order_by("-id").values("id")[kept : kept + 1]
    boundary = list(newest)
    if boundary:
        KeptPart.objects.filter(plan_id=plan_id, id__lte=boundary[0]["id"]).delete()
