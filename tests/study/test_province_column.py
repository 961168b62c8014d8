"""Every row of a large table carries the province of what it belongs to (DESIGN.md, "Scale
plan"): a unit's, a member's (their attendance too, wherever the conference is), a
conference's (its agenda, reports, invitees, tallies), a bridge unit's, an audited unit's. A row
whose province disagrees is a bug; checked in SQL, table by table, over the demo and over a
small structure of many provinces written through the actions."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from tinhuy.org.actions import LevelSpec, UnitSpec, do_create_structure, do_create_units
from tinhuy.org.models import Unit
from tinhuy.org.provinces import province_of
from tinhuy.register.actions import do_create_issuing_body, do_open_period
from tinhuy.study.actions import (
    AttendanceSpec,
    BridgeSpec,
    ConferenceSpec,
    InviteeSpec,
    MemberSpec,
    ReportSpec,
    RuleSpec,
    SegmentSpec,
    do_add_invitees,
    do_create_plan,
    do_issue_plan,
    do_load_members,
    do_record_attendance,
    do_register_conference,
    do_report_conference,
    rebuild_tallies,
)
from tinhuy.study.models import (
    AgendaSegment,
    Attendance,
    AttendanceTally,
    BridgePoint,
    ConferenceReport,
    Invitee,
    Member,
    MemberTally,
)

D = datetime.date

# Table → the rows whose province disagrees with what they belong to.
_OF_CONFERENCE = (
    "JOIN study_conference c ON c.id = x.conference_id WHERE x.province_id <> c.province_id"
)
WRONG = {
    # A unit's province is a province: its own, in its structure.
    "org_unit": "JOIN org_unit p ON p.id = x.province_id "
    "WHERE p.province_id <> p.id OR p.structure_id <> x.structure_id",
    "study_member": "JOIN org_unit u ON u.id = x.cell_id WHERE x.province_id <> u.province_id",
    "study_attendance": "JOIN study_member m ON m.id = x.member_id "
    "WHERE x.province_id <> m.province_id",
    "study_membertally": "JOIN org_unit u ON u.path = x.cell_path "
    "WHERE x.province_id <> u.province_id",
    "study_conference": "JOIN org_unit u ON u.id = x.host_id WHERE x.province_id <> u.province_id",
    "study_agendasegment": _OF_CONFERENCE,
    "study_conferencereport": _OF_CONFERENCE,
    "study_invitee": _OF_CONFERENCE,
    "study_attendancetally": _OF_CONFERENCE,
    "study_bridgepoint": "JOIN org_unit u ON u.id = x.unit_id WHERE x.province_id <> u.province_id",
    "audit_auditevent": "LEFT JOIN org_unit u ON u.id = x.unit_id "
    "WHERE (x.unit_id IS NULL AND x.province_id IS NOT NULL) "
    "OR (x.unit_id IS NOT NULL AND (x.province_id IS NULL OR x.province_id <> u.province_id))",
}


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def assert_every_province_agrees(*, tables_with_rows: set[str]) -> None:
    wrong = {t: _count(f"SELECT count(*) FROM {t} x {w}") for t, w in WRONG.items()}  # noqa: S608
    assert wrong == dict.fromkeys(WRONG, 0)
    # A member tally names its cell by path: one with no such cell would escape the join.
    assert (
        _count(
            "SELECT count(*) FROM study_membertally x "
            "WHERE NOT EXISTS (SELECT 1 FROM org_unit u WHERE u.path = x.cell_path)"
        )
        == 0
    )
    empty = {t for t in tables_with_rows if _count(f"SELECT count(*) FROM {t}") == 0}  # noqa: S608
    assert not empty, f"nothing checked in {empty}"
    flags = dict(Unit.objects.values_list("pk", "structure__roll_up_by_part"))
    for pk, path, province in Unit.objects.values_list("pk", "path", "province_id"):
        assert province == province_of(path, flags[pk]), path


@pytest.mark.django_db
def test_the_demos_rows_carry_the_province_of_what_they_belong_to() -> None:
    assert_every_province_agrees(
        tables_with_rows={
            "org_unit",
            "study_conference",
            "study_agendasegment",
            "study_conferencereport",
            "audit_auditevent",
        }
    )
    assert _count("SELECT count(*) FROM audit_auditevent WHERE province_id IS NOT NULL") > 0


@pytest.mark.django_db
def test_a_national_conferences_rows_carry_each_its_own_province() -> None:
    """The national conference is the top's row; its attendance and bridge points are spread
    over the provinces of the members and the bridge units."""
    structure = do_create_structure(
        code="toan-quoc-thu",
        name="Toàn quốc (thử)",
        levels=[
            LevelSpec("tw", "Trung ương"),
            LevelSpec("tinh", "Tỉnh"),
            LevelSpec("co-so", "Cơ sở"),
            LevelSpec("chi-bo", "Chi bộ"),
        ],
        roll_up_by_part=True,
        acting_user=None,
    )
    specs = [UnitSpec("TW", "Trung ương (thử)", "tw", "province")]
    for n in (1, 2):
        specs += [
            UnitSpec(f"T{n}", f"Tỉnh {n} (thử)", "tinh", "province", "TW"),
            UnitSpec(f"G{n}", f"Xã {n} (thử)", "co-so", "grassroots", f"T{n}"),
            UnitSpec(f"C{n}", f"Chi bộ {n} (thử)", "chi-bo", "cell", f"G{n}"),
        ]
    do_create_units(structure, specs, acting_user=None)
    unit = {u.code: u for u in Unit.objects.filter(structure=structure)}
    top, t1, t2 = unit["TW"], unit["T1"], unit["T2"]
    plan = do_create_plan(
        structure=structure,
        title="Kế hoạch (thử)",
        source_document="Nghị quyết (thử)",
        topics=["Chuyên đề 1"],
        rules=[
            RuleSpec(
                "tw",
                "Cán bộ chủ chốt",
                2,
                D(2025, 1, 5),
                D(2025, 1, 10),
                online_allowed=True,
                participant_level_codes=("tinh",),
            )
        ],
        issuing_unit=top,
        acting_user=None,
    )
    body = do_create_issuing_body(
        top,
        symbol="TWT",
        superior_name="ĐẢNG CỘNG SẢN VIỆT NAM",
        name="TRUNG ƯƠNG (THỬ)",
        place="Hà Nội",
        acting_user=None,
    )
    do_open_period(body, label="Khóa thử", starts_on=D(2025, 1, 1), acting_user=None)
    do_issue_plan(plan, issued_on=D(2025, 1, 2), signer_name="(thử)", acting_user=None)
    conference = do_register_conference(
        plan,
        ConferenceSpec(
            host=top,
            date=D(2025, 1, 8),
            length_sessions=2,
            mode="hybrid",
            segments=[SegmentSpec("resolution", "Báo cáo viên", "reporter", top, topic_order=1)],
            bridge_points=[BridgeSpec(t1, 10), BridgeSpec(t2, 10)],
        ),
        acting_user=None,
    )
    do_load_members(
        structure,
        [
            MemberSpec("T1-0001", "Nguyễn Văn An", unit["C1"]),
            MemberSpec("T2-0001", "Trần Thị Bình", unit["C2"]),
        ],
        acting_user=None,
    )
    do_record_attendance(
        conference,
        [AttendanceSpec("T1-0001", "present"), AttendanceSpec("T2-0001", "absent", "Ốm")],
        acting_user=None,
    )
    do_report_conference(
        conference, ReportSpec(20, 15, bridge_attended={t1.pk: 8, t2.pk: 7}), acting_user=None
    )
    do_add_invitees(conference, [InviteeSpec(None, "Lê Văn Cường")], acting_user=None)

    assert conference.province_id == top.pk
    assert set(
        Attendance.objects.filter(conference=conference).values_list(
            "province_id", "member__member_code"
        )
    ) == {
        (t1.pk, "T1-0001"),
        (t2.pk, "T2-0001"),
    }
    assert set(
        BridgePoint.objects.filter(conference=conference).values_list("province_id", flat=True)
    ) == {t1.pk, t2.pk}
    for model in (AgendaSegment, ConferenceReport, Invitee, AttendanceTally):
        assert set(
            model.objects.filter(conference=conference).values_list("province_id", flat=True)
        ) == {top.pk}
    assert set(
        Member.objects.filter(structure=structure).values_list("province_id", flat=True)
    ) == {t1.pk, t2.pk}
    tallies = set(
        MemberTally.objects.filter(structure=structure).values_list("cell_path", "province_id")
    )
    assert tallies == {(unit["C1"].path, t1.pk), (unit["C2"].path, t2.pk)}
    every_table = set(WRONG)
    assert_every_province_agrees(tables_with_rows=every_table)
    rebuild_tallies()
    assert_every_province_agrees(tables_with_rows=every_table)
