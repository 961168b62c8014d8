"""The path to the whole country (issue 12, item 7): ``make bench-national``.

One national structure on the local PostgreSQL: the Party's 34 provincial committees (the names of
the 34 provinces and cities from 1 July 2025, read from the ``vietnam-provinces`` package), about
50,000 grassroots organisations, about 250,000 cells and about 5.6 million Party members, and one
national study campaign run through it. Every figure of the data — how many organisations a
province has, how many members an organisation has, who attended — is **sample data** drawn from
``random.Random(2026)``; the grassroots organisations that are communes and wards carry the real
names of the 3,321 communes and wards of the package (a province's own count), the others are
named "… (minh họa)". Nothing here is a real statistic.

The rows are written through bulk paths (PostgreSQL ``COPY``), as a migration of a real register
would be: units with their paths, members, conferences, agenda segments, bridge points, report
revisions, 5 million attendance rows, and the tallies the actions keep beside them. The plan
itself is made and issued through the actions (``do_create_plan``, ``do_issue_plan``).

Then it times, logged in as the national office:
- the study dashboard nationwide and the dashboard of each of the 34 provinces (the page a
  province's office opens), each beside its floor: raw SQL fetching every row that dashboard
  judges (units, conferences, agenda segments, report revisions, bridge points, tallies) within
  the same subtree;
- the attendance import of one grassroots conference (CSV, the upload page's function) beside its
  floor: the CSV parse plus ``tinhuy.bulk.insert_rows`` of the same rows.
Targets (issue 12): nationwide ≤ 1 s, a province ≤ 200 ms.

The database (``<name>_national_bench``, on the server of ``TINHUY_DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432``) takes minutes to generate, so it is kept after the run
and reused by the next one with the same seed and scale; ``--fresh`` generates it again and
``--drop`` removes it. ``--scale 0.01`` makes a hundredth of the country for a quick look.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import math
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from bench.util import (
    BENCH_VAR_DIR,
    PG_SCHEMES,
    BenchDatabase,
    Timing,
    _pg_admin,
    count_queries,
    measure,
    test_client,
)

SEED = 2026
PROVINCES = 34
GRASSROOTS = 50_000
MEMBERS = 5_600_000
MEMBERS_PER_CELL = (12, 35)  # a cell's members are drawn in this range, then the cells filled
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/tinhuy"
SUFFIX = "_national_bench"
AS_OF = datetime.date(2026, 4, 15)
PROVINCE_REPS = 5  # timed runs per province (34 provinces), after one warm-up
NATIONAL_REPS = 7
PROVINCE_CHANGED_REPS = 3  # a province's page right after a change, per kind of change
ORGANISATIONS_CHANGED = 10  # the organisations of a province whose changes are taken in turn
TARGET_NATIONAL_MS = 1000.0
TARGET_PROVINCE_MS = 200.0

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc", "Xuân", "Thu")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam")
REASONS = ("Ốm", "Đi công tác", "Việc gia đình", "Nghỉ sinh")


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


# --- The database ----------------------------------------------------------------------------


def prepare(environ: os._Environ[str] | dict[str, str] = os.environ) -> BenchDatabase:
    """PostgreSQL only: the national figures are those of the production engine."""
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    environ["TINHUY_VAR_DIR"] = str(BENCH_VAR_DIR)
    environ["TINHUY_DEBUG"] = "false"
    environ["TINHUY_SEARCH_INDEX_DIR"] = str(BENCH_VAR_DIR / "national-search-index")
    given = environ.get("TINHUY_DATABASE_URL", "").strip() or DEFAULT_PG
    parts = urlsplit(given)
    if parts.scheme.split("+", 1)[0].lower() not in PG_SCHEMES:
        given, parts = DEFAULT_PG, urlsplit(DEFAULT_PG)
    name = (unquote(parts.path.lstrip("/")) or "tinhuy") + SUFFIX
    url = urlunsplit(parts._replace(path="/" + name))
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    environ["TINHUY_DATABASE_URL"] = url
    note = f"database {name!r}, kept for the next run (--fresh makes it again, --drop removes it)"
    return BenchDatabase("postgresql", url, admin, name, notes=(note,))


def _exists(database: BenchDatabase) -> bool:
    import psycopg

    with psycopg.connect(database.pg_admin_url, autocommit=True, connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database.pg_name]
        ).fetchone()
    return row is not None


# --- Sizes and the generated country ---------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    grassroots: int
    members: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        return cls(max(PROVINCES * 3, round(GRASSROOTS * scale)), round(MEMBERS * scale))

    @property
    def marker(self) -> str:
        return f"seed={SEED} grassroots={self.grassroots} members={self.members} v2"


@dataclass
class Country:
    """What the run needs to know of the generated data."""

    structure_id: int
    plan_id: int
    root_id: int
    provinces: list[tuple[int, str]]  # (unit id, name)
    counts: dict[str, int] = field(default_factory=dict)


class Copier:
    """Rows into a table by ``COPY … FROM STDIN`` (text format), in chunks."""

    CHUNK = 1 << 20

    def __init__(
        self,
        cursor: Any,
        table: str,
        columns: Iterable[str],
        tick: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.cursor, self.table, self.columns = cursor, table, tuple(columns)
        self.count = 0
        self.tick = tick  # told how many rows each chunk held

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        sql = f'COPY "{self.table}" ({columns}) FROM STDIN'
        buffer: list[str] = []
        size = 0
        with self.cursor.copy(sql) as copy:
            for row in rows:
                line = "\t".join(_text(v) for v in row) + "\n"
                buffer.append(line)
                size += len(line)
                self.count += 1
                if size >= self.CHUNK:
                    copy.write("".join(buffer))
                    self.tick(len(buffer))
                    buffer, size = [], 0
            if buffer:
                copy.write("".join(buffer))
                self.tick(len(buffer))
        return self.count


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _spread(total: int, weights: list[float], minimum: int) -> list[int]:
    """``total`` split over the weights, each at least ``minimum``, summing to ``total``."""
    scale = sum(weights)
    shares = [max(minimum, math.floor(total * w / scale)) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


def generate(sizes: Sizes, progress: Callable[[int, int, str], None]) -> Country:
    """The country, its plan and the campaign's rows; returns what the timings need."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from vietnam_provinces import Province, Ward

    from tinhuy.org.actions import LevelSpec, UnitSpec, do_create_structure, do_create_units
    from tinhuy.org.models import Membership, Role, Unit
    from tinhuy.register.actions import do_create_issuing_body, do_open_period
    from tinhuy.search.text import fold, sort_key
    from tinhuy.study.actions import RuleSpec, do_create_plan, do_issue_plan
    from tinhuy.study.models import (
        AgendaSegment,
        Attendance,
        AttendanceTally,
        BridgePoint,
        Conference,
        ConferenceReport,
        LevelRule,
        Member,
        MemberTally,
    )

    rng = random.Random(SEED)
    # Progress in rows written: the units, members and attendance rows are nearly all of them
    # (the total is known once the units are laid out; until then, the structure's steps).
    done, total, note = 0, 3, "cơ cấu, tỉnh"

    def tick(rows: int) -> None:
        nonlocal done
        done += rows
        progress(min(done, total), total, note)

    tick(0)
    structure = do_create_structure(
        code="toan-quoc",
        name="Đảng bộ toàn quốc (số liệu minh họa cho đo hiệu năng)",
        levels=[
            LevelSpec("trung-uong", "Trung ương"),
            LevelSpec("tinh", "Tỉnh, thành phố"),
            LevelSpec("co-so", "Cơ sở"),
            LevelSpec("chi-bo", "Chi bộ"),
        ],
        valid_from=datetime.date(2025, 7, 1),
        # Its provinces are the units right below the top: each row's province column says so.
        roll_up_by_part=True,
        acting_user=None,
    )
    provinces = sorted(Province.iter_all(), key=lambda p: p.code.value)
    wards_of: dict[int, list[str]] = {p.code.value: [] for p in provinces}
    for ward in Ward.iter_all():
        wards_of[ward.province_code.value].append(ward.name)
    specs = [UnitSpec("TW", "Ban Chấp hành Trung ương Đảng", "trung-uong", "province", None)]
    specs += [
        UnitSpec(
            f"T{p.code.value:02d}",
            f"Đảng bộ {_province_name(p.name)}",
            "tinh",
            "province",
            "TW",
            is_sample=False,
        )
        for p in provinces
    ]
    top = {u.code: u for u in do_create_units(structure, specs, acting_user=None)}
    root = top["TW"]
    levels = {level.code: level for level in structure.levels.all()}

    User = get_user_model()
    office = User.objects.create_user("quocgia", password=None, first_name="Văn phòng Trung ương")
    Membership.objects.create(user=office, unit=root, role=Role.PROVINCE_ADMIN)

    # How many grassroots organisations and members each province has: sample figures, drawn
    # with the province's count of communes and wards as its weight.
    weights = [len(wards_of[p.code.value]) * rng.uniform(0.7, 1.3) for p in provinces]
    grassroots_per = _spread(sizes.grassroots, weights, 2)
    members_left = sizes.members

    next_id = (Unit.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    units: list[tuple[Any, ...]] = []
    grassroots: list[tuple[int, str, int, list[tuple[int, str, int]]]] = []  # id, path, prov, cells
    n_grassroots = sum(grassroots_per)
    for p, count in zip(provinces, grassroots_per, strict=True):
        province = top[f"T{p.code.value:02d}"]
        names = [f"Đảng bộ {w[:1].lower()}{w[1:]}" for w in wards_of[p.code.value]][:count]
        names += [
            f"Đảng bộ cơ sở số {i} — {_province_name(p.name)} (minh họa)"
            for i in range(len(names) + 1, count + 1)
        ]
        for i, name in enumerate(names, 1):
            gid = next_id
            next_id += 1
            path = f"{province.path}{gid}/"
            members = max(8, round(members_left / max(1, n_grassroots) * rng.uniform(0.4, 1.6)))
            members_left -= members
            n_grassroots -= 1
            units.append(
                _unit_row(
                    gid,
                    structure.pk,
                    f"{province.code}-{i}",
                    name,
                    "grassroots",
                    levels["co-so"].pk,
                    province.pk,
                    path,
                    2,
                    members,
                    province.pk,
                    fold,
                    sort_key,
                )
            )
            n_cells = max(1, round(members / rng.randint(*MEMBERS_PER_CELL)))
            cells = []
            for j, share in enumerate(_spread(members, [1.0] * n_cells, 1), 1):
                cid = next_id
                next_id += 1
                cpath = f"{path}{cid}/"
                cells.append((cid, cpath, share))
                units.append(
                    _unit_row(
                        cid,
                        structure.pk,
                        f"{province.code}-{i}-{j}",
                        f"Chi bộ {j} (minh họa)",
                        "cell",
                        levels["chi-bo"].pk,
                        gid,
                        cpath,
                        3,
                        share,
                        province.pk,
                        fold,
                        sort_key,
                    )
                )
            grassroots.append((gid, path, province.pk, cells))
    # The last organisation takes what rounding left over (it may not go below its cells).
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        done, note = 0, "đơn vị"
        total = len(units) + sizes.members + round(sizes.members * 0.95)
        tick(0)
        Copier(cursor, Unit._meta.db_table, UNIT_COLUMNS, tick).write(units)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Unit._meta.db_table, next_id]
        )
        n_cells = sum(len(g[3]) for g in grassroots)
        del units

        # The plan, through the actions.
        plan = do_create_plan(
            structure=structure,
            title="Kế hoạch học tập, quán triệt Nghị quyết (minh họa cho đo hiệu năng)",
            source_document="Nghị quyết (minh họa)",
            topics=["Chuyên đề 1 (minh họa)", "Chuyên đề 2 (minh họa)"],
            rules=[
                RuleSpec(
                    "trung-uong",
                    "Cán bộ chủ chốt toàn quốc",
                    2,
                    datetime.date(2026, 1, 5),
                    datetime.date(2026, 1, 10),
                    online_allowed=True,
                    participant_level_codes=("tinh",),
                ),
                RuleSpec(
                    "tinh",
                    "Cán bộ chủ chốt cấp tỉnh",
                    2,
                    datetime.date(2026, 1, 12),
                    datetime.date(2026, 2, 15),
                ),
                RuleSpec(
                    "co-so",
                    "Toàn thể đảng viên",
                    1,
                    datetime.date(2026, 2, 1),
                    datetime.date(2026, 3, 31),
                ),
            ],
            issuing_unit=root,
            place="Hà Nội",
            is_sample=True,
            acting_user=office,
        )
        body = do_create_issuing_body(
            root,
            symbol="TW",
            superior_name="ĐẢNG CỘNG SẢN VIỆT NAM",
            name="BAN CHẤP HÀNH TRUNG ƯƠNG",
            place="Hà Nội",
            acting_user=None,
        )
        do_open_period(
            body,
            label="Khóa XIV (minh họa)",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=None,
            acting_user=None,
        )
        do_issue_plan(
            plan, issued_on=datetime.date(2026, 1, 2), signer_name="(minh họa)", acting_user=office
        )
        rules = {
            r.level.code: r for r in LevelRule.objects.filter(plan=plan).select_related("level")
        }
        topics = list(plan.topics.values_list("id", flat=True))

        # Members: one row each, by COPY.
        note = "đảng viên"
        loaded_at = _at(datetime.date(2025, 12, 1))

        def member_rows() -> Iterator[tuple[Any, ...]]:
            mid = 0
            for _gid, _path, province_id, cells in grassroots:
                for cid, cpath, share in cells:
                    for _k in range(share):
                        mid += 1
                        name = (
                            f"{FAMILY[mid % 12]} {MIDDLE[(mid // 12) % 10]} "
                            f"{GIVEN[(mid // 120) % 12]}"
                        )
                        yield (
                            mid,
                            structure.pk,
                            cid,
                            f"{province_id:03d}{mid:09d}",
                            name,
                            cpath,
                            loaded_at,
                            True,
                            province_id,
                        )

        n_members = Copier(cursor, Member._meta.db_table, MEMBER_COLUMNS, tick).write(member_rows())
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
            [Member._meta.db_table, n_members + 1],
        )
        Copier(
            cursor,
            MemberTally._meta.db_table,
            ("structure_id", "cell_path", "loaded_at", "count", "province_id"),
        ).write(
            (structure.pk, cpath, loaded_at, share, province_id)
            for _g, _p, province_id, cells in grassroots
            for _c, cpath, share in cells
        )

        # Conferences: the national one (a bridge point at every province), each province's,
        # and most grassroots organisations' (some late, some not held).
        note = "hội nghị"
        conferences: list[tuple[Any, ...]] = []
        segments: list[tuple[Any, ...]] = []
        reports: list[tuple[Any, ...]] = []
        bridges: list[tuple[Any, ...]] = []
        conf_id = 0
        province_of: dict[int, int] = {}  # conference → its host's province

        def conference(
            host: int,
            province: int,
            rule: Any,
            day: datetime.date,
            sessions: int,
            mode: str = "in_person",
        ) -> int:
            nonlocal conf_id
            conf_id += 1
            province_of[conf_id] = province
            conferences.append(
                (
                    conf_id,
                    plan.pk,
                    rule.pk,
                    host,
                    day,
                    None,
                    sessions,
                    mode,
                    "Hội trường (minh họa)",
                    _at(day - datetime.timedelta(days=7)),
                    None,
                    None,
                    None,
                    "",
                    "[]",
                    None,
                    None,
                    None,
                    province,
                )
            )
            for order, topic in enumerate(topics, 1):
                segments.append(
                    (
                        conf_id,
                        order,
                        topic,
                        "resolution",
                        "Báo cáo viên (minh họa)",
                        "reporter",
                        "",
                        root.pk,
                        province,
                    )
                )
            segments.append(
                (
                    conf_id,
                    len(topics) + 1,
                    None,
                    "own_plan",
                    "Bí thư (minh họa)",
                    "secretary",
                    "Bí thư",
                    host,
                    province,
                )
            )
            return conf_id

        national = conference(
            root.pk, root.pk, rules["trung-uong"], datetime.date(2026, 1, 8), 2, "hybrid"
        )
        bridge_attended = {}
        for _code, unit in sorted(top.items()):
            if unit.pk == root.pk:
                continue
            expected = rng.randint(150, 400)
            # Each bridge point is its province's row (a province is its own province).
            bridges.append((national, unit.pk, "Điểm cầu (minh họa)", "", expected, None, unit.pk))
            bridge_attended[str(unit.pk)] = expected - rng.randint(0, 10)
        reports.append(
            (
                national,
                1,
                _at(datetime.date(2026, 1, 9), 16),
                None,
                5000,
                4900,
                0,
                4900,
                "",
                "",
                _json(bridge_attended),
            )
        )
        for _code, unit in sorted(top.items()):
            if unit.pk == root.pk or rng.random() < 0.03:
                continue
            day = (
                datetime.date(2026, 2, rng.randint(16, 25))
                if rng.random() < 0.06
                else datetime.date(2026, 1, rng.randint(12, 31))
            )
            cid = conference(unit.pk, unit.pk, rules["tinh"], day, 2)
            expected = rng.randint(300, 900)
            reports.append(
                (
                    cid,
                    1,
                    _at(day + datetime.timedelta(days=2), 16),
                    None,
                    expected,
                    expected - rng.randint(0, 30),
                    0,
                    expected,
                    "",
                    "",
                    "{}",
                )
            )

        # Grassroots: the conference, and one attendance row per member (92 % present).
        note = "điểm danh"
        attendance_tallies: list[tuple[Any, ...]] = []
        # conference, members, when, their province
        held: list[tuple[int, range, datetime.datetime, int]] = []
        first_member = 1
        for gid, _path, province_id, cells in grassroots:
            n = sum(share for _c, _p, share in cells)
            members = range(first_member, first_member + n)
            first_member += n
            roll = rng.random()
            if roll < 0.06:
                continue  # not held by the as-of date
            day = (
                datetime.date(2026, 4, rng.randint(1, 12))
                if roll < 0.11
                else datetime.date(2026, rng.randint(2, 3), rng.randint(1, 28))
            )
            cid = conference(gid, province_id, rules["co-so"], day, 1)
            recorded = _at(day + datetime.timedelta(days=1), 16)
            held.append((cid, members, recorded, province_id))
            counts: Counter[str] = Counter()
            for _m in members:
                draw = rng.random()
                counts["present" if draw < 0.92 else "absent" if draw < 0.97 else "made_up"] += 1
            for status, count in counts.items():
                attendance_tallies.append((cid, status, recorded, count, province_id))
            if rng.random() < 0.9:
                reports.append(
                    (
                        cid,
                        1,
                        _at(day + datetime.timedelta(days=2), 16),
                        None,
                        n,
                        counts["present"],
                        counts["made_up"],
                        counts["present"],
                        "",
                        "",
                        "{}",
                    )
                )
        Copier(cursor, Conference._meta.db_table, CONFERENCE_COLUMNS).write(conferences)
        Copier(cursor, AgendaSegment._meta.db_table, SEGMENT_COLUMNS).write(segments)
        Copier(cursor, BridgePoint._meta.db_table, BRIDGE_COLUMNS).write(bridges)
        Copier(cursor, ConferenceReport._meta.db_table, REPORT_COLUMNS).write(
            (*report, province_of[report[0]]) for report in reports
        )
        Copier(
            cursor,
            AttendanceTally._meta.db_table,
            ("conference_id", "status", "recorded_at", "count", "province_id"),
        ).write(attendance_tallies)
        for model in (Conference, AgendaSegment, BridgePoint, ConferenceReport):
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"(SELECT max(id) + 1 FROM {model._meta.db_table}))",
                [model._meta.db_table],
            )

        # The attendance rows, drawn again with the same statuses the tallies counted.
        note = "điểm danh từng người"
        recount: Counter[tuple[int, str]] = Counter()

        def attendance_rows() -> Iterator[tuple[Any, ...]]:
            aid = 0
            tallies = {(t[0], t[1]): t[3] for t in attendance_tallies}
            for cid, members, recorded, province_id in held:
                left = {s: tallies.get((cid, s), 0) for s in ("present", "absent", "made_up")}
                for mid in members:
                    status = next(s for s in ("absent", "made_up", "present") if left[s])
                    left[status] -= 1
                    recount[(cid, status)] += 1
                    aid += 1
                    reason = REASONS[mid % 4] if status != "present" else ""
                    yield (aid, cid, mid, status, reason, recorded, province_id)

        n_attendance = Copier(cursor, Attendance._meta.db_table, ATTENDANCE_COLUMNS, tick).write(
            attendance_rows()
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
            [Attendance._meta.db_table, n_attendance + 1],
        )
        # The rows say what the tallies the dashboard sums say.
        assert recount == Counter({(t[0], t[1]): t[3] for t in attendance_tallies})
        note = "ANALYZE"
        tick(0)
        cursor.execute("ANALYZE")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_national_marker (marker text, plan_id int, "
            "structure_id int, root_id int, counts text)"
        )
    country = Country(
        structure.pk,
        plan.pk,
        root.pk,
        [(u.pk, u.name) for code, u in sorted(top.items()) if code != "TW"],
        {
            "provinces": PROVINCES,
            "grassroots": len(grassroots),
            "cells": n_cells,
            "members": n_members,
            "conferences": conf_id,
            "attendance": n_attendance,
        },
    )
    progress(total, total, "xong")
    return country


def _province_name(name: str) -> str:
    """ "Thành phố Hà Nội" → "thành phố Hà Nội", "Nghệ An" → "tỉnh Nghệ An"."""
    return (
        "thành phố " + name.removeprefix("Thành phố ")
        if name.startswith("Thành phố")
        else ("tỉnh " + name)
    )


def _json(value: dict[str, int]) -> str:
    import json

    return json.dumps(value)


UNIT_COLUMNS = (
    "id",
    "structure_id",
    "code",
    "name",
    "kind",
    "level_id",
    "parent_id",
    "path",
    "depth",
    "is_sample",
    "headcount",
    "headcount_is_sample",
    "name_folded",
    "name_sort",
    "province_id",
)
MEMBER_COLUMNS = (
    "id",
    "structure_id",
    "cell_id",
    "member_code",
    "full_name",
    "cell_path",
    "loaded_at",
    "is_sample",
    "province_id",
)
CONFERENCE_COLUMNS = (
    "id",
    "plan_id",
    "rule_id",
    "host_id",
    "date",
    "start_time",
    "length_sessions",
    "mode",
    "venue",
    "recorded_at",
    "recorded_by_id",
    "cancelled_at",
    "cancelled_by_id",
    "cancel_reason",
    "rule_problems",
    "problems_confirmed_by_id",
    "problems_confirmed_at",
    "edited_at",
    "province_id",
)
SEGMENT_COLUMNS = (
    "conference_id",
    "order",
    "topic_id",
    "content_kind",
    "presenter_name",
    "presenter_role",
    "presenter_position",
    "presenter_unit_id",
    "province_id",
)
BRIDGE_COLUMNS = (
    "conference_id",
    "unit_id",
    "venue",
    "host_person",
    "expected_count",
    "attended_count",
    "province_id",
)
REPORT_COLUMNS = (
    "conference_id",
    "version",
    "reported_at",
    "reported_by_id",
    "expected_count",
    "attended_count",
    "made_up_count",
    "reflections_count",
    "absence_notes",
    "minutes",
    "bridge_attended",
    "province_id",
)
ATTENDANCE_COLUMNS = (
    "id",
    "conference_id",
    "member_id",
    "status",
    "reason",
    "recorded_at",
    "province_id",
)


def _unit_row(
    uid: int,
    structure: int,
    code: str,
    name: str,
    kind: str,
    level: int,
    parent: int,
    path: str,
    depth: int,
    headcount: int,
    province: int,
    fold: Any,
    sort_key: Any,
) -> tuple[Any, ...]:
    return (
        uid,
        structure,
        code,
        name,
        kind,
        level,
        parent,
        path,
        depth,
        True,
        headcount,
        True,
        fold(name),
        sort_key(name)[:1024],
        province,
    )


# --- Floors ----------------------------------------------------------------------------------

# Every row the dashboard of a subtree judges, fetched by raw SQL within that subtree: the units
# its plan expects, their conferences with their agenda, report revisions and bridge points, and
# the tallies of attendance and members. The least any page showing the same standings must
# read; judging, rolling up and rendering them come on top.
SQL_SUBTREE_ROWS = (
    (
        "SELECT u.id, u.path, u.level_id, u.name, u.code, u.name_sort, u.headcount "
        "FROM org_unit u WHERE u.structure_id = %(structure)s AND u.path LIKE %(subtree)s "
        "AND u.level_id IN (SELECT level_id FROM study_levelrule WHERE plan_id = %(plan)s "
        "UNION SELECT p.level_id FROM study_levelrule_participant_levels p "
        "JOIN study_levelrule r ON r.id = p.levelrule_id WHERE r.plan_id = %(plan)s)"
    ),
    (
        "SELECT c.id, c.rule_id, c.host_id, u.path, c.date, c.length_sessions, c.mode "
        "FROM study_conference c JOIN org_unit u ON u.id = c.host_id "
        "WHERE c.plan_id = %(plan)s AND u.path LIKE %(subtree)s AND c.recorded_at < %(before)s "
        "AND NOT (c.cancelled_at IS NOT NULL AND c.cancelled_at < %(before)s)"
    ),
    (
        "SELECT s.conference_id, s.topic_id, s.content_kind, s.presenter_name, "
        "s.presenter_role, pu.path FROM study_agendasegment s "
        "JOIN study_conference c ON c.id = s.conference_id JOIN org_unit u ON u.id = c.host_id "
        "JOIN org_unit pu ON pu.id = s.presenter_unit_id "
        "WHERE c.plan_id = %(plan)s AND u.path LIKE %(subtree)s"
    ),
    (
        "SELECT r.conference_id, r.expected_count, r.attended_count, r.made_up_count, "
        "r.bridge_attended FROM study_conferencereport r "
        "JOIN study_conference c ON c.id = r.conference_id JOIN org_unit u ON u.id = c.host_id "
        "WHERE c.plan_id = %(plan)s AND u.path LIKE %(subtree)s AND r.reported_at < %(before)s "
        "ORDER BY r.conference_id, r.version DESC"
    ),
    (
        "SELECT b.conference_id, b.unit_id, b.expected_count FROM study_bridgepoint b "
        "JOIN study_conference c ON c.id = b.conference_id JOIN org_unit u ON u.id = b.unit_id "
        "WHERE c.plan_id = %(plan)s AND u.path LIKE %(subtree)s"
    ),
    (
        "SELECT t.conference_id, t.status, sum(t.count) FROM study_attendancetally t "
        "JOIN study_conference c ON c.id = t.conference_id JOIN org_unit u ON u.id = c.host_id "
        "WHERE c.plan_id = %(plan)s AND u.path LIKE %(subtree)s AND t.recorded_at < %(before)s "
        "GROUP BY 1, 2"
    ),
    (
        "SELECT cell_path, sum(count) FROM study_membertally WHERE structure_id = %(structure)s "
        "AND cell_path LIKE %(subtree)s AND loaded_at < %(before)s GROUP BY 1"
    ),
)


# Below the top the same rows are read by id, as the cheapest known plan does it on
# PostgreSQL (a join through the unit's path makes the planner read every unit): the expected
# units by path, then their conferences and those they attend by the units' ids, the rest by
# the conferences' ids, each unit's path looked up row by row.
SQL_PART_UNITS = SQL_SUBTREE_ROWS[0]
SQL_PART_CONFERENCES = (
    "SELECT c.id, c.rule_id, c.host_id, (SELECT path FROM org_unit WHERE id = c.host_id), "
    "c.date, c.length_sessions, c.mode FROM study_conference c WHERE c.plan_id = %(plan)s "
    "AND c.recorded_at < %(before)s AND NOT (c.cancelled_at IS NOT NULL AND c.cancelled_at "
    "< %(before)s) AND "
)
SQL_HOSTED = SQL_PART_CONFERENCES + "c.host_id = ANY(%(units)s)"
SQL_ATTENDED = (
    SQL_PART_CONFERENCES
    + "c.id IN (SELECT conference_id FROM study_bridgepoint WHERE unit_id = ANY(%(units)s))"
)
SQL_PART_ROWS = (
    (
        "SELECT s.conference_id, s.topic_id, s.content_kind, s.presenter_name, "
        "s.presenter_role, (SELECT path FROM org_unit WHERE id = s.presenter_unit_id) "
        "FROM study_agendasegment s WHERE s.conference_id = ANY(%(conferences)s)"
    ),
    (
        "SELECT conference_id, expected_count, attended_count, made_up_count, bridge_attended "
        "FROM study_conferencereport WHERE conference_id = ANY(%(conferences)s) "
        "AND reported_at < %(before)s ORDER BY conference_id, version DESC"
    ),
    (
        "SELECT conference_id, unit_id, expected_count FROM study_bridgepoint "
        "WHERE conference_id = ANY(%(conferences)s)"
    ),
    (
        "SELECT conference_id, status, sum(count) FROM study_attendancetally "
        "WHERE conference_id = ANY(%(conferences)s) AND recorded_at < %(before)s GROUP BY 1, 2"
    ),
    SQL_SUBTREE_ROWS[-1],  # the member tallies under the path
)


SQL_MEMBERS_UNDER = (
    "SELECT sum(count) FROM study_membertally WHERE structure_id = %(structure)s "
    "AND cell_path LIKE %(subtree)s AND loaded_at < %(before)s"
)


def subtree_floor(country: Country, path: str, *, own: bool = False) -> Callable[[], int]:
    """The floor of a dashboard: every row it judges, by raw SQL (at the top by joins over the
    whole plan, below it by ids); ``own``: the rows of the unit at ``path`` alone (its
    conferences', and the members under it as one sum)."""
    from django.db import connection

    params = {
        "plan": country.plan_id,
        "structure": country.structure_id,
        "subtree": path + "%",
        "before": _at(AS_OF + datetime.timedelta(days=1), 0),
    }
    top = path.count("/") == 2

    def run() -> int:
        count = 0
        with connection.cursor() as cursor:
            if top:
                for sql in SQL_SUBTREE_ROWS:
                    cursor.execute(sql, params)
                    count += len(cursor.fetchall())
                return count
            if own:
                units = [int(path.strip("/").rsplit("/", 1)[-1])]
            else:
                cursor.execute(SQL_PART_UNITS, params)
                units = [row[0] for row in cursor.fetchall()]
            conferences = []
            for sql in (SQL_HOSTED, SQL_ATTENDED):
                cursor.execute(sql, {**params, "units": units})
                conferences += [row[0] for row in cursor.fetchall()]
            count += len(units) + len(conferences)
            for sql in SQL_PART_ROWS[:-1] + ((SQL_MEMBERS_UNDER,) if own else SQL_PART_ROWS[-1:]):
                cursor.execute(sql, {**params, "conferences": conferences})
                count += len(cursor.fetchall())
        return count

    return run


def versions_floor(country: Country, unit_id: int | None = None) -> Callable[[], int]:
    """What a view must read when nothing under it changed: the versions it is keyed by (the
    whole's — the plan is issued at the top —, each province's and each province's own
    changes') and the units right below it (the national top's by default; raw SQL)."""
    from django.db import connection

    provinces = [unit_id] if unit_id else [pk for pk, _name in country.provinces]
    parts = [0, *provinces, *(-pk for pk in provinces)]

    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT part, version FROM org_dataversion WHERE structure_id = %s "
                "AND part = ANY(%s)",
                [country.structure_id, parts],
            )
            count = len(cursor.fetchall())
            cursor.execute(
                "SELECT id, name, path FROM org_unit WHERE parent_id = %s ORDER BY name_sort",
                [unit_id or country.root_id],
            )
            return count + len(cursor.fetchall())

    return run


def stored_parts_floor(country: Country) -> Callable[[], int]:
    """The provinces' parts as stored for the date (``study_keptpart``; raw SQL, the bytes
    read, not unpickled)."""
    from django.db import connection

    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT key, data FROM study_keptpart WHERE plan_id = %s AND as_of = %s "
                "ORDER BY id DESC LIMIT %s",
                [country.plan_id, AS_OF, len(country.provinces)],
            )
            return len(cursor.fetchall())

    return run


def sum_floor(*floors: Callable[[], int]) -> Callable[[], int]:
    return lambda: sum(floor() for floor in floors)


def measure_after(setup: Callable[[], object], fn: Callable[[], object], reps: int) -> Timing:
    """``reps`` timed runs of ``fn``, each after an untimed ``setup``."""
    samples = []
    for _ in range(reps):
        setup()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(samples)


# --- The run ---------------------------------------------------------------------------------


def load_or_generate(database: BenchDatabase, sizes: Sizes, fresh: bool) -> tuple[Country, str]:
    """The kept database when it holds this seed and size, else a new one."""
    import json

    from django.core.management import call_command
    from django.db import connection

    if not fresh and _exists(database):
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT marker, plan_id, structure_id, root_id, counts "
                    "FROM bench_national_marker"
                )
                row = cursor.fetchone()
        except Exception:
            row = None
            connection.close()
        if row and row[0] == sizes.marker:
            counts = json.loads(row[4])
            provinces = counts.pop("province_list")
            # The code may have moved on since: its migrations (an index, say) apply here too.
            call_command("migrate", verbosity=0, interactive=False)
            return Country(row[2], row[1], row[3], [tuple(p) for p in provinces], counts), "kept"
    connection.close()
    database.create()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    from tinhuy.progress import Reporter

    with Reporter("Sinh dữ liệu toàn quốc", unit="dòng", stream=sys.stdout) as reporter:
        country = generate(sizes, reporter)
    with connection.cursor() as cursor:
        counts = {**country.counts, "province_list": country.provinces}
        cursor.execute(
            "INSERT INTO bench_national_marker VALUES (%s, %s, %s, %s, %s)",
            [
                sizes.marker,
                country.plan_id,
                country.structure_id,
                country.root_id,
                json.dumps(counts, ensure_ascii=False),
            ],
        )
    minutes = (time.perf_counter() - started) / 60
    return country, f"generated in {minutes:.1f} min (migrate, COPY, ANALYZE)"


@dataclass
class Figure:
    name: str
    queries: int
    timing: Timing
    floor: Timing
    rows: int

    def line(self, target_ms: float) -> str:
        median, floor = self.timing.median_ms, self.floor.median_ms
        verdict = "met" if median <= target_ms else f"NOT met ({median - target_ms:.0f} ms over)"
        return (
            f"  {self.name[:44]:<44} {self.rows:>9,} {self.queries:>4} {median:>9.1f} "
            f"{self.timing.p95_ms:>8.1f} {floor:>9.1f} {median / floor:>6.1f}×  ≤ "
            f"{target_ms:.0f} ms: {verdict}"
        )


HEADER = (
    f"  {'dashboard of':<44} {'rows read':>9} {'qry':>4} {'median ms':>9} {'p95 ms':>8} "
    f"{'floor ms':>9} {'ratio':>7}  target"
)


def run(country: Country, out: Callable[[str], None] = print) -> bool:
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from tinhuy.org.models import Unit

    client = test_client()
    client.force_login(get_user_model().objects.get(username="quocgia"))
    base = reverse("study_dashboard", args=[country.plan_id])
    as_of = f"{AS_OF:%d/%m/%Y}"
    paths = dict(
        Unit.objects.filter(structure_id=country.structure_id, depth__lte=1).values_list(
            "id", "path"
        )
    )

    def page(unit_id: int) -> Callable[[], object]:
        url = f"{base}?don_vi={unit_id}&ngay={as_of}"

        def get() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    from tinhuy.org import versions
    from tinhuy.org.models import Structure
    from tinhuy.study import queries
    from tinhuy.study.models import KeptPart

    # The national structure sums its provinces' progress (Structure.roll_up_by_part, set when
    # it was generated): each province's part is kept in the worker's memory until something
    # under it changes.
    assert Structure.objects.get(pk=country.structure_id).roll_up_by_part
    ok = True
    out("")
    out(
        f"study dashboard as of {as_of}, logged in as the national office; floor: raw SQL of "
        "every row that dashboard judges, within its subtree"
    )
    out(HEADER)
    top = page(country.root_id)
    root_floor = subtree_floor(country, paths[country.root_id])
    national_floor = measure(root_floor, reps=NATIONAL_REPS, warm_ups=1)
    national_rows = root_floor()

    def nothing_kept() -> None:
        queries._PARTS.clear()
        KeptPart.objects.all().delete()

    # What `tinhuy study-warm` does after midnight (a part is for one date), or the first
    # person of the day if it did not run: every province judged from its rows.
    cold = Figure(
        "toàn quốc, đầu ngày (34 tỉnh tính từ đầu)",
        count_queries(lambda: (nothing_kept(), top())),
        measure_after(nothing_kept, top, reps=3),
        national_floor,
        national_rows,
    )
    out(cold.line(TARGET_NATIONAL_MS) + "  (tinhuy study-warm's work, once a day)")
    parts_floor = sum_floor(versions_floor(country), stored_parts_floor(country))
    worker = Figure(
        "toàn quốc, lần xem đầu của một tiến trình",
        count_queries(lambda: (queries._PARTS.clear(), top())),
        measure_after(queries._PARTS.clear, top, reps=NATIONAL_REPS),
        measure(parts_floor, reps=NATIONAL_REPS, warm_ups=1),
        parts_floor(),
    )
    out(worker.line(TARGET_NATIONAL_MS) + "  (floor: the versions and the 34 stored parts)")
    ok &= worker.timing.median_ms <= TARGET_NATIONAL_MS
    # Most changes are an organisation's (a report, an attendance upload, a member list): they
    # move its province's version and its own, and the province's part is judged again for
    # that organisation only. A change of a province's own that reaches no unit below (its
    # conference, its headcount) judges its own rows again; one that reaches below it in other
    # ways (when it began, its successors, an edit in the admin) judges the whole province.
    organisations: dict[int, list[str]] = defaultdict(list)
    for parent_id, path in (
        Unit.objects.filter(structure_id=country.structure_id, depth=2)
        .values_list("parent_id", "path")
        .order_by("id")
    ):
        if len(organisations[parent_id]) < ORGANISATIONS_CHANGED:
            organisations[parent_id].append(path)
    turn = itertools.count()

    def organisation_changed(unit_id: int | None = None) -> None:
        n = next(turn)
        province = unit_id or country.provinces[n % len(country.provinces)][0]
        paths_under = organisations[province]
        versions.bump(country.structure_id, paths_under[n % len(paths_under)])

    def province_changed(unit_id: int | None = None, *, reaches_below: bool = False) -> None:
        province = unit_id or country.provinces[next(turn) % len(country.provinces)][0]
        versions.bump(country.structure_id, paths[province], reaches_below=reaches_below)

    def province_wide_changed(unit_id: int | None = None) -> None:
        province_changed(unit_id, reaches_below=True)

    one_province_floor = Timing(
        [
            measure(subtree_floor(country, paths[unit_id]), reps=1, warm_ups=0).samples[0]
            for unit_id, _name in country.provinces
        ]
    )
    for label, change in (
        ("toàn quốc, sau thay đổi ở một tổ chức cơ sở", organisation_changed),
        ("toàn quốc, sau thay đổi của chính một tỉnh", province_changed),
        ("toàn quốc, sau thay đổi bao trùm một tỉnh", province_wide_changed),
    ):
        changed = Figure(
            label,
            count_queries(lambda change=change: (change(), top())),
            measure_after(change, top, reps=NATIONAL_REPS),
            one_province_floor,
            national_rows,
        )
        out(changed.line(TARGET_NATIONAL_MS) + "  (floor: that province's rows)")
        ok &= changed.timing.median_ms <= TARGET_NATIONAL_MS
    unchanged = Figure(
        "toàn quốc, không có gì thay đổi",
        count_queries(top),
        measure(top, reps=NATIONAL_REPS, warm_ups=1),
        measure(versions_floor(country), reps=NATIONAL_REPS, warm_ups=1),
        national_rows,
    )
    out(unchanged.line(TARGET_NATIONAL_MS) + "  (floor: the versions and the provinces)")
    ok &= unchanged.timing.median_ms <= TARGET_NATIONAL_MS
    out("")
    out(
        "each province's page: its part kept (as after the national view or an earlier view; "
        "floor: the versions and the units below it); right after a change at one of its "
        "organisations (that one judged again; floor: that and the organisation's rows); right "
        "after a change of the province's own, its conference or headcount (its own rows judged "
        "again; floor: kept's and its own rows); right after a change reaching below it, such as "
        "when it began (all its organisations judged again; floor: the province's rows)"
    )
    out(HEADER)
    kinds = (
        "kept",
        "after an organisation's change",
        "after the province's own change",
        "after a change reaching the whole province",
    )
    figures: dict[str, list[Figure]] = {kind: [] for kind in kinds}

    def province_figures(unit_id: int, name: str) -> list[Figure]:
        # Floors: kept, the versions and the units below the province (what tells that nothing
        # changed, and the chart's names); after an organisation's change, that and the
        # organisation's rows; after the province's own change, that and the province's own
        # rows; after a change reaching the whole province, every row of the province.
        floor = subtree_floor(country, paths[unit_id])
        floor_timing = measure(floor, reps=PROVINCE_REPS, warm_ups=1)
        kept_floor = versions_floor(country, unit_id)
        one_floor = sum_floor(kept_floor, subtree_floor(country, organisations[unit_id][0]))
        own_floor = sum_floor(kept_floor, subtree_floor(country, paths[unit_id], own=True))
        get = page(unit_id)

        def organisation() -> None:
            organisation_changed(unit_id)

        def own() -> None:
            province_changed(unit_id)

        def wide() -> None:
            province_wide_changed(unit_id)

        return [
            Figure(
                name.removeprefix("Đảng bộ "),
                count_queries(get),
                measure(get, reps=PROVINCE_REPS, warm_ups=1),
                measure(kept_floor, reps=PROVINCE_REPS, warm_ups=1),
                kept_floor(),
            ),
            Figure(
                "  sau thay đổi ở một tổ chức cơ sở",
                count_queries(lambda: (organisation(), get())),
                measure_after(organisation, get, reps=PROVINCE_CHANGED_REPS),
                measure(one_floor, reps=PROVINCE_CHANGED_REPS, warm_ups=1),
                one_floor(),
            ),
            Figure(
                "  sau thay đổi của chính tỉnh",
                count_queries(lambda: (own(), get())),
                measure_after(own, get, reps=PROVINCE_CHANGED_REPS),
                measure(own_floor, reps=PROVINCE_CHANGED_REPS, warm_ups=1),
                own_floor(),
            ),
            Figure(
                "  sau thay đổi bao trùm cả tỉnh",
                count_queries(lambda: (wide(), get())),
                measure_after(wide, get, reps=PROVINCE_CHANGED_REPS),
                floor_timing,
                floor(),
            ),
        ]

    for unit_id, name in country.provinces:
        for kind, figure in zip(kinds, province_figures(unit_id, name), strict=True):
            out(figure.line(TARGET_PROVINCE_MS))
            figures[kind].append(figure)
            if kind != kinds[3]:
                ok &= figure.timing.median_ms <= TARGET_PROVINCE_MS
    names = [f.name for f in figures[kinds[0]]]
    for kind in kinds:
        medians = [f.timing.median_ms for f in figures[kind]]
        worst = max(range(len(medians)), key=medians.__getitem__)
        out(
            f"  provinces, {kind}: median of medians {statistics.median(medians):.1f} ms, "
            f"slowest {medians[worst]:.1f} ms ({names[worst]}), "
            f"{sum(m <= TARGET_PROVINCE_MS for m in medians)}/{len(medians)} within "
            f"{TARGET_PROVINCE_MS:.0f} ms"
        )
    ok &= import_figure(country, out)
    return ok


def import_figure(country: Country, out: Callable[[str], None]) -> bool:
    """One grassroots conference's attendance, uploaded again as CSV (its rows and tallies
    deleted before each run), beside the CSV parse plus the bare INSERT of the same rows."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from bench.study import attendance_module, csv_bytes, parse_csv
    from tinhuy.bulk import insert_rows
    from tinhuy.study.models import Attendance, AttendanceTally, Conference

    module = attendance_module()
    grassroots = Conference.objects.filter(plan_id=country.plan_id, host__kind="grassroots")
    conference = grassroots.select_related("plan", "rule__level", "host__level").order_by("id")[
        grassroots.count() // 2
    ]
    rows = list(
        Attendance.objects.filter(conference=conference)
        .values_list(
            "member_id",
            "member__member_code",
            "member__full_name",
            "member__cell__code",
            "status",
            "reason",
        )
        .order_by("member_id")
    )
    words = {"present": "Có mặt", "absent": "Vắng", "made_up": "Vắng, đã học bù"}
    table = [list(module.ATTENDANCE_COLUMNS.values())]
    table += [
        [code, name, cell, words[status], reason] for _m, code, name, cell, status, reason in rows
    ]
    data = csv_bytes(table)
    user = get_user_model().objects.get(username="quocgia")
    kept_tallies = list(
        AttendanceTally.objects.filter(conference=conference).values_list(
            "status", "recorded_at", "count"
        )
    )

    def reset() -> None:
        Attendance.objects.filter(conference=conference).delete()
        AttendanceTally.objects.filter(conference=conference).delete()

    def upload() -> None:
        result = module.import_attendance(conference, data, "diem-danh.csv", acting_user=user)
        assert not result.errors and result.recorded == len(rows), result

    def floor() -> None:
        parsed = parse_csv(data)
        now = timezone.now()
        with transaction.atomic():
            insert_rows(
                Attendance,
                ("conference_id", "member_id", "province_id", "status", "reason", "recorded_at"),
                [
                    # A grassroots conference's members are of its host's province.
                    (conference.pk, m, conference.province_id, s, r, now)
                    for (m, *_x, s, r), _row in zip(rows, parsed[1:], strict=True)
                ],
            )

    def timed(fn: Callable[[], None], reps: int = 9) -> Timing:
        samples = []
        for i in range(reps + 1):
            reset()
            start = time.perf_counter()
            fn()
            if i:  # the first is a warm-up
                samples.append(time.perf_counter() - start)
        return Timing(samples)

    figure, bare = timed(upload), timed(floor)
    # Leave the conference as generated: its rows by the import, its tallies as they were.
    reset()
    upload()
    AttendanceTally.objects.filter(conference=conference).delete()
    AttendanceTally.objects.bulk_create(
        AttendanceTally(
            conference=conference,
            province_id=conference.province_id,
            status=s,
            recorded_at=at,
            count=n,
        )
        for s, at, n in kept_tallies
    )
    out("")
    out(
        f"attendance import (CSV, {len(rows)} members of {conference.host.name}, into "
        f"{country.counts['attendance']:,} rows): median {figure.median_ms:.1f} ms, p95 "
        f"{figure.p95_ms:.1f} ms; floor (CSV parse + bare INSERT) {bare.median_ms:.1f} ms: "
        f"{figure.median_ms / bare.median_ms:.1f}×"
    )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.national", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the country")
    parser.add_argument("--fresh", action="store_true", help="generate the database again")
    parser.add_argument("--drop", action="store_true", help="drop the kept database and stop")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    database = prepare()
    if args.drop:  # without Django: nothing of it is open
        _pg_admin(
            database.pg_admin_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", database.pg_name
        )
        print(f"dropped {database.pg_name}")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhuy.settings")
    import django

    django.setup()
    from tinhuy.bulk import freeze_startup_objects

    freeze_startup_objects()  # as a worker does (tinhuy.wsgi)
    from django.db import connection

    sizes = Sizes.scaled(args.scale)
    started = datetime.datetime.now(datetime.UTC)
    print(f"Tỉnh ủy số — bench.national (the whole country), {started:%Y-%m-%d %H:%M} UTC")
    country, how = load_or_generate(database, sizes, args.fresh)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"database   PostgreSQL {version}, {database.pg_name} ({size}), {how}")
    for note in database.notes:
        print(f"           {note}")
    print(
        f"python     {platform.python_version()}, Django {django.get_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"load       {', '.join(f'{n:.1f}' for n in os.getloadavg())} (1, 5, 15 min)")
    c = country.counts
    print(
        f"size       {c['provinces']} tỉnh, thành phố; {c['grassroots']:,} tổ chức cơ sở đảng; "
        f"{c['cells']:,} chi bộ; {c['members']:,} đảng viên; {c['conferences']:,} hội nghị; "
        f"{c['attendance']:,} dòng điểm danh — số liệu minh họa (seed {SEED}, scale "
        f"{args.scale:g})"
    )
    print(
        f"method     median and p95 after one warm-up: {NATIONAL_REPS} runs nationwide, "
        f"{PROVINCE_REPS} per province; requests through django.test.Client"
    )
    ok = run(country)
    print(f"end        load {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
