"""Demo study plans.

1. The article's plan (Standing Board meeting of 29/10/2020): two topics, three levels,
   1 day / 1 day / 1 session, deadlines 30/11/2020, 30/12/2020, 30/01/2021, online study from the
   province down to the district level. Those facts come from the source article. It is written
   here as a draft (``draft_plan_2020``: without the online study the Board members proposed),
   goes through the Standing Board meeting of ``tinhuy.meetings.demo`` — opinions, disposition
   table, revised version (``revise_plan_2020``: online study added), the Secretary's
   conclusion — and is issued from there through the province committee's register
   (``tinhuy.register.demo``), so its number is the next "KH" number of the 2020–2025 term;
   that number, the issue date, every conference, report and headcount below are sample data
   ("số liệu minh họa"), generated deterministically to show progress as of mid-January 2021:
   some district committees late, some missing, one presenter-rule violation, a province
   conference with a bridge point at every district-level committee. Every grassroots
   organisation gets a sample headcount ("số đảng viên", marked as sample on the unit), the
   people its conference must reach until it reports; the district-level committees get none,
   so the dashboard shows how a unit without one reads ("chưa rõ số phải học").
2. A draft plan for the Resolution of the 20th Provincial Congress (2025–2030) on today's
   two-level structure; its dates are sample data.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from tinhuy.org.actions import do_set_headcount
from tinhuy.org.models import Structure, Unit, UnitKind
from tinhuy.register.demo import load_register_demo
from tinhuy.study.actions import (
    BridgeSpec,
    ConferenceSpec,
    ReportSpec,
    RuleSpec,
    SegmentSpec,
    do_create_plan,
    do_register_conference,
    do_report_conference,
    do_set_rule,
)
from tinhuy.study.models import ConferenceReport, Plan, PlanState

PLAN_2020_TITLE = (
    "Kế hoạch tổ chức học tập, quán triệt và triển khai thực hiện Nghị quyết Đại hội đại biểu "
    "Đảng bộ tỉnh lần thứ XIX, nhiệm kỳ 2020–2025"
)
PLAN_2025_TITLE = (
    "Kế hoạch tổ chức học tập, quán triệt và triển khai thực hiện Nghị quyết Đại hội đại biểu "
    "Đảng bộ tỉnh lần thứ XX, nhiệm kỳ 2025–2030"
)
TOPICS_2020 = [
    "Chuyên đề phát triển kinh tế - xã hội, quốc phòng, an ninh và hoạt động đối ngoại ở tỉnh "
    "Nghệ An giai đoạn 2020–2025",
    "Chuyên đề xây dựng Đảng và hệ thống chính trị trong sạch, vững mạnh ở Đảng bộ tỉnh Nghệ An "
    "giai đoạn 2020–2025",
]
D = datetime.date

# District-level committees whose conference is late, missing or breaks the presenter rule in
# the sample (by statistical code).
LATE_2020 = {"417": D(2021, 1, 5), "418": D(2021, 1, 12)}  # Kỳ Sơn, Tương Dương
SCHEDULED_AFTER_MID_JANUARY = {"416": D(2021, 1, 20)}  # Quỳ Châu: missing on 15/01, late on 01/02
MISSING_2020 = {"415"}  # Quế Phong: nothing by the end of the sample
PRESENTER_VIOLATION = "424"  # Anh Sơn: its own plan presented by a province reporter


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load_study_demo() -> list[str]:
    # The plans are issued through the province committee's register: declare it first.
    changes: list[str] = load_register_demo()
    if not Plan.objects.filter(title=PLAN_2020_TITLE).exists():
        # The 2020 plan is drafted, heard by the Standing Board and issued there
        # (``tinhuy.demo.load_demo`` has already run this; here for a caller that has not).
        from tinhuy.meetings.demo import load_meetings_demo

        changes += load_meetings_demo()
    with transaction.atomic():
        plan_2020 = Plan.objects.filter(title=PLAN_2020_TITLE).first()
        if (
            plan_2020 is not None
            and plan_2020.state == PlanState.ISSUED
            and not plan_2020.conferences.exists()
        ):
            _conferences_2020(plan_2020)
            changes.append(
                f"{plan_2020.title}: {plan_2020.conferences.count()} hội nghị (minh họa)"
            )
        if plan_2020 is not None and plan_2020.conferences.exists():
            headcounts = _sample_headcounts(plan_2020)
            if headcounts:
                changes.append(f"số đảng viên (minh họa) của {headcounts} tổ chức cơ sở đảng")
        if not Plan.objects.filter(title=PLAN_2025_TITLE).exists():
            plan = _plan_2025()
            changes.append(f"{plan.title} (dự thảo)")
    return changes


def _province_rule_2020(*, online: bool) -> RuleSpec:
    return RuleSpec(
        "tinh",
        "Cán bộ chủ chốt cấp tỉnh và cấp huyện",
        2,
        D(2020, 11, 1),
        D(2020, 11, 30),
        online_allowed=online,
        participant_level_codes=("huyen",) if online else (),
    )


def draft_plan_2020() -> Plan:
    """The article's plan as first submitted to the Standing Board: a draft, without the
    online study from the province down to the district level that the Board members then
    proposed (``revise_plan_2020`` adds it)."""
    structure = Structure.objects.get(code="nghe-an-2020")
    province = Unit.objects.get(structure=structure, code="40")
    return do_create_plan(
        structure=structure,
        title=PLAN_2020_TITLE,
        source_document=(
            "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Nghệ An lần thứ XIX, nhiệm kỳ 2020–2025"
        ),
        topics=TOPICS_2020,
        rules=[
            _province_rule_2020(online=False),
            RuleSpec(
                "huyen", "Cán bộ cốt cán ở đơn vị, địa phương", 2, D(2020, 11, 1), D(2020, 12, 30)
            ),
            RuleSpec(
                "co-so", "Toàn thể cán bộ, đảng viên của đơn vị", 1, D(2020, 11, 1), D(2021, 1, 30)
            ),
        ],
        issuing_unit=province,
        is_sample=True,
        acting_user=None,
    )


def revise_plan_2020(plan: Plan) -> None:
    """The revision after the Board's comments: online study, with a bridge point at every
    district-level committee (the article: "cân nhắc tổ chức học tập, quán triệt trực tuyến từ
    tỉnh về đến cấp huyện và tương đương đối với những nơi có điều kiện")."""
    do_set_rule(plan, _province_rule_2020(online=True), acting_user=None)


def _conferences_2020(plan: Plan) -> None:
    """The sample conferences and reports on the issued plan."""
    structure = plan.structure
    province = plan.issuing_unit
    rng = random.Random(2020)  # noqa: S311 - sample data, not secrets
    # The district-level committees (the province's advisory bodies are units below it too).
    districts = list(
        Unit.objects.filter(structure=structure, parent=province)
        .exclude(kind=UnitKind.ADVISORY)
        .order_by("code")
    )

    def segments(host: Unit, *, violation: bool = False) -> list[SegmentSpec]:
        reporter = SegmentSpec(
            "resolution",
            "Báo cáo viên Tỉnh ủy (minh họa)",
            "reporter",
            province,
            "Báo cáo viên",
            topic_order=1,
        )
        return [
            reporter,
            SegmentSpec(
                "resolution",
                "Báo cáo viên Tỉnh ủy (minh họa)",
                "reporter",
                province,
                "Báo cáo viên",
                topic_order=2,
            ),
            SegmentSpec(
                "action_programme",
                "Báo cáo viên Tỉnh ủy (minh họa)",
                "reporter",
                province,
                "Báo cáo viên",
            ),
            SegmentSpec(
                "own_plan", "Báo cáo viên Tỉnh ủy (minh họa)", "reporter", province, "Báo cáo viên"
            )
            if violation
            else SegmentSpec(
                "own_plan",
                f"Bí thư {host.name.removeprefix('Đảng bộ ')} (minh họa)",
                "secretary",
                host,
                "Bí thư",
            ),
        ]

    def held(
        host: Unit,
        day: datetime.date,
        sessions: int,
        expected: int,
        *,
        violation: bool = False,
        report: bool = True,
        bridges: Sequence[BridgeSpec] = (),
        bridge_attended: dict[int, int] | None = None,
    ) -> None:
        conference = do_register_conference(
            plan,
            ConferenceSpec(
                host=host,
                date=day,
                length_sessions=sessions,
                venue=f"Hội trường {host.name}",
                segments=segments(host, violation=violation),
                bridge_points=bridges,
            ),
            acting_user=None,
            recorded_at=_at(day - datetime.timedelta(days=7)),
        )
        if report:
            attended = expected - rng.randint(0, max(1, expected // 12))
            do_report_conference(
                conference,
                ReportSpec(
                    expected,
                    attended,
                    made_up_count=rng.randint(0, expected - attended),
                    reflections_count=attended,
                    bridge_attended=bridge_attended or {},
                ),
                acting_user=None,
                reported_at=_at(day + datetime.timedelta(days=2), 16),
            )

    # Province: one conference with a bridge point at every district-level committee.
    bridges = [
        BridgeSpec(
            d,
            expected_count=rng.randint(25, 60),
            venue=f"Điểm cầu {d.name}",
            host_person="Phó Bí thư Thường trực (minh họa)",
        )
        for d in districts
    ]
    held(
        province,
        D(2020, 11, 17),
        2,
        450,
        bridges=bridges,
        bridge_attended={b.unit.pk: b.expected_count - rng.randint(0, 3) for b in bridges},
    )
    mid_january = D(2021, 1, 15)
    for district in districts:
        code = district.code
        if code in MISSING_2020:
            continue
        day = (
            LATE_2020.get(code)
            or SCHEDULED_AFTER_MID_JANUARY.get(code)
            or D(2020, 12, rng.randint(1, 29))
        )
        held(
            district,
            day,
            2,
            rng.randint(120, 300),
            violation=code == PRESENTER_VIOLATION,
            report=day <= mid_january,
        )
        for grassroots in Unit.objects.filter(parent=district).order_by("code"):
            roll = rng.random()
            if roll < 0.12 or code in MISSING_2020:
                continue  # nothing registered: missing once 30/01/2021 has passed
            if roll < 0.55:
                g_day = D(2020, 12, rng.randint(10, 31))
            elif roll < 0.9:
                g_day = D(2021, 1, rng.randint(4, 29))
            else:
                g_day = D(2021, 2, rng.randint(2, 10))  # late
            held(grassroots, g_day, 1, rng.randint(20, 90), report=g_day <= mid_january)


def _sample_headcounts(plan: Plan) -> int:
    """A sample headcount for every grassroots organisation of the plan's structure, once (not
    again when one has been set, or cleared, since): the expected count of its latest sample
    report, else one drawn from its own generator. Returns how many were set."""
    grassroots = Unit.objects.filter(structure=plan.structure, kind=UnitKind.GRASSROOTS)
    if grassroots.filter(headcount__isnull=False).exists():
        return 0
    reported: dict[int, int] = {}
    for host_id, expected in (
        ConferenceReport.objects.filter(conference__plan=plan, conference__host__in=grassroots)
        .order_by("conference__host_id", "-conference__date", "-version")
        .values_list("conference__host_id", "expected_count")
    ):
        reported.setdefault(host_id, expected)
    counts = random.Random(2021)  # noqa: S311 - sample data, not secrets
    units = list(grassroots.order_by("code"))
    for unit in units:
        headcount = reported.get(unit.pk) or counts.randint(20, 90)
        do_set_headcount(unit, headcount=headcount, is_sample=True, acting_user=None)
    return len(units)


def _plan_2025() -> Plan:
    structure = Structure.objects.get(code="nghe-an-2025")
    province = Unit.objects.get(structure=structure, code="40")
    return do_create_plan(
        structure=structure,
        title=PLAN_2025_TITLE,
        source_document=(
            "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Nghệ An lần thứ XX, nhiệm kỳ 2025–2030"
        ),
        topics=[
            "Chuyên đề phát triển kinh tế - xã hội, bảo đảm quốc phòng, an ninh "
            "giai đoạn 2025–2030",
            "Chuyên đề xây dựng Đảng và hệ thống chính trị trong sạch, vững mạnh "
            "giai đoạn 2025–2030",
        ],
        rules=[
            RuleSpec(
                "tinh",
                "Cán bộ chủ chốt cấp tỉnh và cấp xã",
                2,
                D(2025, 11, 1),
                D(2025, 11, 30),
                online_allowed=True,
                participant_level_codes=("xa",),
            ),
            RuleSpec(
                "xa",
                "Toàn thể cán bộ, đảng viên của đảng bộ xã, phường",
                1,
                D(2025, 11, 1),
                D(2025, 12, 31),
            ),
        ],
        issuing_unit=province,
        is_sample=True,
        acting_user=None,
    )
