"""Every write to study campaigns: one ``do_*`` function per use case, audited.

The callers (forms, API, Excel import) have checked scope and the shape of the input; the
actions check what only the data can tell (a second report, counts that do not add up) and raise
``ValidationError`` with a Vietnamese message, before anything is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.audit.actions import record, snapshot
from tinhuy.org.models import Level, Structure, Unit
from tinhuy.study.models import (
    AgendaSegment,
    BridgePoint,
    Conference,
    ConferenceReport,
    LevelRule,
    Plan,
    PlanState,
    Topic,
)

if TYPE_CHECKING:
    from tinhuy.org.actions import AnyUser

RULE_FIELDS = (
    "audience",
    "length_sessions",
    "window_start",
    "deadline",
    "online_allowed",
    "presenter_rule",
)


@dataclass(frozen=True)
class RuleSpec:
    level_code: str
    audience: str
    length_sessions: int
    window_start: datetime.date
    deadline: datetime.date
    online_allowed: bool = False
    participant_level_codes: tuple[str, ...] = ()
    presenter_rule: bool = True


@transaction.atomic
def do_create_plan(
    *,
    structure: Structure,
    title: str,
    source_document: str,
    topics: Sequence[str],
    rules: Sequence[RuleSpec],
    issuing_unit: Unit,
    place: str = "Nghệ An",
    is_sample: bool = False,
    acting_user: AnyUser,
) -> Plan:
    levels = {level.code: level for level in Level.objects.filter(structure=structure)}
    for spec in rules:
        if spec.window_start > spec.deadline:
            raise ValidationError(
                _("Cấp “%(level)s”: ngày bắt đầu phải trước hạn hoàn thành.")
                % {"level": spec.level_code}
            )
        if spec.length_sessions < 1:
            raise ValidationError(_("Thời lượng phải ít nhất 1 buổi."))
    plan = Plan.objects.create(
        structure=structure,
        title=title,
        source_document=source_document,
        issuing_unit=issuing_unit,
        place=place,
        is_sample=is_sample,
    )
    Topic.objects.bulk_create(
        Topic(plan=plan, order=order, title=t) for order, t in enumerate(topics, start=1)
    )
    for spec in rules:
        rule = LevelRule.objects.create(
            plan=plan,
            level=levels[spec.level_code],
            audience=spec.audience,
            length_sessions=spec.length_sessions,
            window_start=spec.window_start,
            deadline=spec.deadline,
            online_allowed=spec.online_allowed,
            presenter_rule=spec.presenter_rule,
        )
        rule.participant_levels.set([levels[code] for code in spec.participant_level_codes])
    record(
        "plan.create",
        plan,
        acting_user=acting_user,
        unit=issuing_unit,
        after={
            **snapshot(plan, ("title", "source_document", "structure")),
            "topics": list(topics),
            "rules": [spec.level_code for spec in rules],
        },
    )
    return plan


@transaction.atomic
def do_issue_plan(
    plan: Plan, *, number: str, issued_on: datetime.date, acting_user: AnyUser
) -> Plan:
    if plan.state != PlanState.DRAFT:
        raise ValidationError(_("Chỉ ban hành được kế hoạch đang là dự thảo."))
    before = snapshot(plan, ("state", "number", "issued_on"))
    plan.state, plan.number, plan.issued_on = PlanState.ISSUED, number, issued_on
    plan.save(update_fields=["state", "number", "issued_on"])
    record(
        "plan.issue",
        plan,
        acting_user=acting_user,
        unit=plan.issuing_unit,
        before=before,
        after=snapshot(plan, ("state", "number", "issued_on")),
    )
    return plan


@transaction.atomic
def do_close_plan(plan: Plan, *, acting_user: AnyUser) -> Plan:
    before = snapshot(plan, ("state",))
    plan.state = PlanState.CLOSED
    plan.save(update_fields=["state"])
    record(
        "plan.close",
        plan,
        acting_user=acting_user,
        unit=plan.issuing_unit,
        before=before,
        after=snapshot(plan, ("state",)),
    )
    return plan


@transaction.atomic
def do_amend_rule(rule: LevelRule, *, acting_user: AnyUser, **changes: object) -> LevelRule:
    """Change a level's rule; on an issued plan this is an amendment, audited as such."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Not rule fields: {sorted(unknown)}")
    if rule.plan.state == PlanState.CLOSED:
        raise ValidationError(_("Kế hoạch đã kết thúc, không sửa được quy định."))
    before = snapshot(rule, RULE_FIELDS)
    for name, value in changes.items():
        setattr(rule, name, value)
    if rule.window_start > rule.deadline:
        raise ValidationError(_("Ngày bắt đầu phải trước hạn hoàn thành."))
    rule.save(update_fields=list(changes))
    action = "plan.amend_rule" if rule.plan.state == PlanState.ISSUED else "plan.edit_rule"
    record(
        action,
        rule,
        acting_user=acting_user,
        unit=rule.plan.issuing_unit,
        before=before,
        after=snapshot(rule, RULE_FIELDS),
    )
    return rule


@dataclass(frozen=True)
class SegmentSpec:
    content_kind: str
    presenter_name: str
    presenter_role: str
    presenter_unit: Unit
    presenter_position: str = ""
    topic_order: int | None = None


@dataclass(frozen=True)
class BridgeSpec:
    unit: Unit
    expected_count: int
    venue: str = ""
    host_person: str = ""
    attended_count: int | None = None


@dataclass(frozen=True)
class ConferenceSpec:
    host: Unit
    date: datetime.date
    length_sessions: int
    mode: str = "in_person"
    venue: str = ""
    start_time: datetime.time | None = None
    segments: Sequence[SegmentSpec] = field(default_factory=tuple)
    bridge_points: Sequence[BridgeSpec] = field(default_factory=tuple)


def check_conference(plan: Plan, spec: ConferenceSpec) -> LevelRule:
    """The level rule the conference falls under, or a ValidationError saying what is wrong."""
    if plan.state != PlanState.ISSUED:
        raise ValidationError(
            _("Kế hoạch chưa ban hành hoặc đã kết thúc; không đăng ký được hội nghị.")
        )
    if spec.host.structure_id != plan.structure_id:
        raise ValidationError(
            _("Đơn vị “%(unit)s” không thuộc cơ cấu của kế hoạch.") % {"unit": spec.host}
        )
    rule = plan.rules.filter(level_id=spec.host.level_id).first()
    if rule is None:
        raise ValidationError(
            _("Kế hoạch không yêu cầu cấp “%(level)s” tổ chức hội nghị.")
            % {"level": spec.host.level}
        )
    if spec.length_sessions < 1:
        raise ValidationError(_("Thời lượng phải ít nhất 1 buổi."))
    for bridge in spec.bridge_points:
        if not bridge.unit.path.startswith(spec.host.path) or bridge.unit == spec.host:
            raise ValidationError(
                _("Điểm cầu “%(unit)s” không phải đơn vị trực thuộc đơn vị tổ chức.")
                % {"unit": bridge.unit}
            )
        if bridge.attended_count is not None and bridge.attended_count > bridge.expected_count:
            raise ValidationError(
                _("Điểm cầu “%(unit)s”: số người dự lớn hơn số người phải dự.")
                % {"unit": bridge.unit}
            )
    if len({b.unit.pk for b in spec.bridge_points}) != len(spec.bridge_points):
        raise ValidationError(_("Một đơn vị được khai báo hai lần làm điểm cầu."))
    return rule


@transaction.atomic
def do_register_conference(
    plan: Plan,
    spec: ConferenceSpec,
    *,
    acting_user: AnyUser,
    recorded_at: datetime.datetime | None = None,
) -> Conference:
    """Register (schedule) a conference. A date outside the window is accepted; compliance
    flags it late."""
    rule = check_conference(plan, spec)
    conference = Conference.objects.create(
        plan=plan,
        rule=rule,
        host=spec.host,
        date=spec.date,
        start_time=spec.start_time,
        length_sessions=spec.length_sessions,
        mode=spec.mode,
        venue=spec.venue,
        recorded_at=recorded_at or timezone.now(),
        recorded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    topics = {t.order: t for t in plan.topics.all()}
    AgendaSegment.objects.bulk_create(
        AgendaSegment(
            conference=conference,
            order=order,
            topic=topics.get(s.topic_order) if s.topic_order else None,
            content_kind=s.content_kind,
            presenter_name=s.presenter_name,
            presenter_role=s.presenter_role,
            presenter_position=s.presenter_position,
            presenter_unit=s.presenter_unit,
        )
        for order, s in enumerate(spec.segments, start=1)
    )
    BridgePoint.objects.bulk_create(
        BridgePoint(
            conference=conference,
            unit=b.unit,
            venue=b.venue,
            host_person=b.host_person,
            expected_count=b.expected_count,
            attended_count=b.attended_count,
        )
        for b in spec.bridge_points
    )
    record(
        "conference.register",
        conference,
        acting_user=acting_user,
        unit=spec.host,
        after={
            **snapshot(conference, ("plan", "host", "date", "length_sessions", "mode", "venue")),
            "segments": len(spec.segments),
            "bridge_points": [b.unit.code for b in spec.bridge_points],
        },
    )
    return conference


@dataclass(frozen=True)
class ReportSpec:
    expected_count: int
    attended_count: int
    made_up_count: int = 0
    reflections_count: int = 0
    absence_notes: str = ""
    minutes: str = ""
    bridge_attended: dict[int, int] = field(default_factory=dict)  # bridge unit id -> attended


def check_report(conference: Conference, spec: ReportSpec) -> None:
    for label, value in (
        (_("số người phải dự"), spec.expected_count),
        (_("số người dự"), spec.attended_count),
        (_("số người học bù"), spec.made_up_count),
        (_("số bài thu hoạch"), spec.reflections_count),
    ):
        if value < 0:
            raise ValidationError(_("%(field)s không được âm.") % {"field": label.capitalize()})
    if spec.attended_count > spec.expected_count:
        raise ValidationError(
            _("Số người dự (%(a)s) lớn hơn số người phải dự (%(e)s).")
            % {"a": spec.attended_count, "e": spec.expected_count}
        )
    if spec.attended_count + spec.made_up_count > spec.expected_count:
        raise ValidationError(_("Số người học bù lớn hơn số người vắng mặt."))
    bridges = {b.unit_id: b for b in conference.bridge_points.all()}
    for unit_id, attended in spec.bridge_attended.items():
        bridge = bridges.get(unit_id)
        if bridge is None:
            raise ValidationError(_("Đơn vị này không phải điểm cầu của hội nghị."))
        if attended < 0 or attended > bridge.expected_count:
            raise ValidationError(
                _("Điểm cầu “%(unit)s”: số người dự phải từ 0 đến %(e)s.")
                % {"unit": bridge.unit, "e": bridge.expected_count}
            )


@transaction.atomic
def do_report_conference(
    conference: Conference,
    spec: ReportSpec,
    *,
    acting_user: AnyUser,
    reported_at: datetime.datetime | None = None,
) -> ConferenceReport:
    """The host's first report of a held conference. A second report is refused: corrections go
    through ``do_amend_report``, which keeps the earlier version."""
    Conference.objects.select_for_update().filter(pk=conference.pk).first()
    if conference.reports.exists():
        raise ValidationError(
            _("Hội nghị này đã có báo cáo; hãy sửa báo cáo đã có thay vì gửi báo cáo thứ hai.")
        )
    return _write_report(
        conference, spec, version=1, acting_user=acting_user, reported_at=reported_at
    )


@transaction.atomic
def do_amend_report(
    conference: Conference,
    spec: ReportSpec,
    *,
    acting_user: AnyUser,
    reported_at: datetime.datetime | None = None,
) -> ConferenceReport:
    Conference.objects.select_for_update().filter(pk=conference.pk).first()
    latest = conference.reports.order_by("-version").first()
    if latest is None:
        raise ValidationError(_("Hội nghị chưa có báo cáo để sửa."))
    return _write_report(
        conference,
        spec,
        version=latest.version + 1,
        acting_user=acting_user,
        reported_at=reported_at,
        previous=latest,
    )


REPORT_FIELDS = (
    "expected_count",
    "attended_count",
    "made_up_count",
    "reflections_count",
    "absence_notes",
    "minutes",
)


def _write_report(
    conference: Conference,
    spec: ReportSpec,
    *,
    version: int,
    acting_user: AnyUser,
    reported_at: datetime.datetime | None,
    previous: ConferenceReport | None = None,
) -> ConferenceReport:
    check_report(conference, spec)
    reported_at = reported_at or timezone.now()
    if conference.date > timezone.localdate(reported_at):
        raise ValidationError(
            _("Hội nghị chưa diễn ra (ngày %(d)s); chưa báo cáo được.")
            % {"d": conference.date.strftime("%d/%m/%Y")}
        )
    report = ConferenceReport.objects.create(
        conference=conference,
        version=version,
        reported_at=reported_at,
        reported_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        expected_count=spec.expected_count,
        attended_count=spec.attended_count,
        made_up_count=spec.made_up_count,
        reflections_count=spec.reflections_count,
        absence_notes=spec.absence_notes,
        minutes=spec.minutes,
    )
    for bridge in conference.bridge_points.filter(unit_id__in=list(spec.bridge_attended)):
        bridge.attended_count = spec.bridge_attended[bridge.unit_id]
        bridge.save(update_fields=["attended_count"])
    record(
        "conference.report" if previous is None else "conference.amend_report",
        report,
        acting_user=acting_user,
        unit=conference.host,
        before=snapshot(previous, REPORT_FIELDS) if previous else None,
        after={
            **snapshot(report, REPORT_FIELDS),
            "version": version,
            "bridge_attended": {str(k): v for k, v in spec.bridge_attended.items()},
        },
    )
    return report


@transaction.atomic
def do_cancel_conference(conference: Conference, *, acting_user: AnyUser) -> Conference:
    """Soft: a cancelled conference stays, and 'as of' before the cancellation still sees it."""
    if conference.reports.exists():
        raise ValidationError(_("Hội nghị đã có báo cáo, không hủy được."))
    conference.cancelled_at = timezone.now()
    conference.save(update_fields=["cancelled_at"])
    record(
        "conference.cancel",
        conference,
        acting_user=acting_user,
        unit=conference.host,
        after={"cancelled_at": conference.cancelled_at.isoformat()},
    )
    return conference
