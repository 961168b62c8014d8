"""Every write to study campaigns: one ``do_*`` function per use case, audited.

The callers (forms, API, Excel import) have checked scope and the shape of the input; the
actions check what only the data can tell (a second report, counts that do not add up) and raise
``ValidationError`` with a Vietnamese message, before anything is written.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.audit.actions import record, snapshot, user_or_none
from tinhuy.bulk import insert_rows
from tinhuy.org import versions
from tinhuy.org.access import scope_for
from tinhuy.org.lookups import subtree_sql
from tinhuy.org.models import Level, Structure, Unit, UnitKind
from tinhuy.register import actions as register_actions
from tinhuy.register import queries as register_queries
from tinhuy.register.models import DocType
from tinhuy.reminders import send_after_commit
from tinhuy.search.text import normalize
from tinhuy.study import compliance, reminders
from tinhuy.study.models import (
    AgendaSegment,
    Attendance,
    AttendanceStatus,
    AttendanceTally,
    BridgePoint,
    Conference,
    ConferenceReport,
    Invitee,
    LevelRule,
    Member,
    MemberTally,
    Plan,
    PlanState,
    Topic,
)
from tinhuy.study.queries import facts_of_rule

if TYPE_CHECKING:
    from tinhuy.org.access import Scope
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


# Plausibility bounds of a conference (issue 12): a study session is half a day; a conference
# of more than ten days is a typing slip, as is a date a year from the level's window.
MAX_SESSIONS = 20
PLAUSIBLE_DAYS = 366


def _dmy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def check_plan_rules(
    structure: Structure, issuing_unit: Unit, rules: Sequence[RuleSpec]
) -> dict[str, Level]:
    """The structure's levels by code, once ``rules`` are a plan's possible rules; else a
    ``ValidationError`` naming what is wrong. The checks every plan passes, whether the demo,
    a test or a page writes it: each level exists in the structure, once, at or below the
    issuing unit's level; an audience, at least one session, a window that opens before its
    deadline; participant levels below the rule's level; and no lower level due before a
    higher one (the province finishes first, then the districts, then the grassroots)."""
    levels = {level.code: level for level in Level.objects.filter(structure=structure)}
    if issuing_unit.structure_id != structure.pk:
        raise ValidationError(
            _("Cơ quan ban hành “%(unit)s” không thuộc cơ cấu “%(structure)s”.")
            % {"unit": issuing_unit.name, "structure": structure.name}
        )
    top = next((lv for lv in levels.values() if lv.pk == issuing_unit.level_id), None)
    top_order = top.order if top is not None else 0

    def level_of(code: str) -> Level:
        level = levels.get(code)
        if level is None:
            raise ValidationError(
                _("Cơ cấu “%(structure)s” không có cấp “%(level)s”.")
                % {"structure": structure.name, "level": code}
            )
        return level

    seen: set[str] = set()
    for spec in rules:
        level = level_of(spec.level_code)
        if spec.level_code in seen:
            raise ValidationError(
                _("Cấp “%(level)s” được quy định hai lần; mỗi cấp chỉ một quy định.")
                % {"level": level.name}
            )
        seen.add(spec.level_code)
        if level.order < top_order:
            raise ValidationError(
                _(
                    "Cấp “%(level)s” ở trên cơ quan ban hành “%(unit)s”; kế hoạch chỉ quy định "
                    "cho cấp của cơ quan ban hành và các cấp dưới."
                )
                % {"level": level.name, "unit": issuing_unit.name}
            )
        if not spec.audience.strip():
            raise ValidationError(_("Cấp “%(level)s”: chưa ghi đối tượng.") % {"level": level.name})
        if spec.length_sessions < 1:
            raise ValidationError(
                _("Cấp “%(level)s”: thời lượng phải ít nhất 1 buổi.") % {"level": level.name}
            )
        if spec.window_start > spec.deadline:
            raise ValidationError(
                _("Cấp “%(level)s”: ngày bắt đầu phải trước hạn hoàn thành.")
                % {"level": level.name}
            )
        for code in spec.participant_level_codes:
            participant = level_of(code)
            if participant.order <= level.order:
                raise ValidationError(
                    _("Cấp “%(level)s”: cấp dự cùng “%(participant)s” phải là cấp dưới.")
                    % {"level": level.name, "participant": participant.name}
                )
    ordered = sorted(rules, key=lambda spec: levels[spec.level_code].order)
    for higher, lower in itertools.pairwise(ordered):
        if lower.deadline < higher.deadline:
            raise ValidationError(
                _(
                    "Hạn hoàn thành của %(lower)s (%(lower_deadline)s) trước hạn của %(higher)s "
                    "(%(higher_deadline)s): cấp dưới phải hoàn thành cùng lúc hoặc sau cấp trên."
                )
                % {
                    "lower": levels[lower.level_code].name,
                    "lower_deadline": _dmy(lower.deadline),
                    "higher": levels[higher.level_code].name,
                    "higher_deadline": _dmy(higher.deadline),
                }
            )
    return levels


def _clean_text(value: str) -> str:
    return normalize(value).strip()


def _check_header(title: str, source_document: str) -> None:
    if not title:
        raise ValidationError(_("Kế hoạch cần có tên."))
    if not source_document:
        raise ValidationError(_("Hãy ghi văn bản được quán triệt (nghị quyết, chỉ thị…)."))


def _create_rule(plan: Plan, spec: RuleSpec, levels: dict[str, Level]) -> LevelRule:
    rule = LevelRule.objects.create(
        plan=plan,
        level=levels[spec.level_code],
        audience=_clean_text(spec.audience),
        length_sessions=spec.length_sessions,
        window_start=spec.window_start,
        deadline=spec.deadline,
        online_allowed=spec.online_allowed,
        presenter_rule=spec.presenter_rule,
    )
    rule.participant_levels.set([levels[code] for code in set(spec.participant_level_codes)])
    return rule


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
    """A draft plan with its topics (at least one) and level rules (possibly none yet: a page
    adds them one level at a time), checked by ``check_plan_rules`` before anything is written."""
    title, source_document = _clean_text(title), _clean_text(source_document)
    _check_header(title, source_document)
    topics = [t for t in (_clean_text(t) for t in topics) if t]
    if not topics:
        raise ValidationError(_("Kế hoạch phải có ít nhất một chuyên đề."))
    levels = check_plan_rules(structure, issuing_unit, rules)
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
        _create_rule(plan, spec, levels)
    record(
        "plan.create",
        plan,
        acting_user=acting_user,
        unit=issuing_unit,
        after={
            **snapshot(plan, ("title", "source_document", "structure", "issuing_unit")),
            "topics": list(topics),
            "rules": [spec.level_code for spec in rules],
        },
    )
    return plan


# Drafting a plan on its pages: each change is one transaction on a plan that is still a draft
# and, if the Standing Board already has its draft, while that draft is being written or revised
# (what a submitted version froze must not move under the Board's eyes; the next version takes
# the changes).

PLAN_OPEN_DRAFT_STATES = ("writing", "revising")  # tinhuy.meetings.models.DraftState values


def lock_draft_plan(plan: Plan) -> Plan:
    """The plan's row, locked and re-read with its structure and issuing unit, if it may still
    be edited; else a ``ValidationError`` saying why."""
    from tinhuy.meetings.models import Draft  # the meetings app imports this module

    locked = (
        Plan.objects.select_for_update().select_related("structure", "issuing_unit").get(pk=plan.pk)
    )
    if locked.state != PlanState.DRAFT:
        raise ValidationError(
            _("Kế hoạch đã ban hành hoặc đã kết thúc; chỉ sửa được kế hoạch đang là dự thảo.")
        )
    board_draft = Draft.objects.filter(plan=locked).first()
    if board_draft is not None and board_draft.state not in PLAN_OPEN_DRAFT_STATES:
        raise ValidationError(
            _(
                "Dự thảo trình Ban Thường vụ đang ở trạng thái “%(state)s”; chỉ sửa được kế "
                "hoạch khi dự thảo đang soạn hoặc đang tiếp thu, chỉnh sửa."
            )
            % {"state": board_draft.get_state_display()}
        )
    return locked


def rule_spec(rule: LevelRule) -> RuleSpec:
    """A rule as the spec that would write it (its level and participant levels preloaded)."""
    return RuleSpec(
        level_code=rule.level.code,
        audience=rule.audience,
        length_sessions=rule.length_sessions,
        window_start=rule.window_start,
        deadline=rule.deadline,
        online_allowed=rule.online_allowed,
        participant_level_codes=tuple(sorted(lv.code for lv in rule.participant_levels.all())),
        presenter_rule=rule.presenter_rule,
    )


def _rules_of(plan: Plan) -> list[LevelRule]:
    return list(plan.rules.select_related("level").prefetch_related("participant_levels"))


def _rule_audit(spec: RuleSpec) -> dict[str, Any]:
    return {
        "level": spec.level_code,
        "audience": spec.audience,
        "length_sessions": spec.length_sessions,
        "window_start": spec.window_start.isoformat(),
        "deadline": spec.deadline.isoformat(),
        "online_allowed": spec.online_allowed,
        "participant_levels": sorted(set(spec.participant_level_codes)),
        "presenter_rule": spec.presenter_rule,
    }


@transaction.atomic
def do_edit_plan_header(
    plan: Plan, *, title: str, source_document: str, acting_user: AnyUser
) -> Plan:
    """Rename a draft plan or change the document it studies."""
    locked = lock_draft_plan(plan)
    title, source_document = _clean_text(title), _clean_text(source_document)
    _check_header(title, source_document)
    before = snapshot(locked, ("title", "source_document"))
    locked.title, locked.source_document = title, source_document
    locked.save(update_fields=["title", "source_document"])
    record(
        "plan.edit",
        locked,
        acting_user=acting_user,
        unit=locked.issuing_unit,
        before=before,
        after=snapshot(locked, ("title", "source_document")),
    )
    return locked


def _topic_text(title: str) -> str:
    title = _clean_text(title)
    if not title:
        raise ValidationError(_("Chuyên đề cần có tên."))
    return title


@transaction.atomic
def do_add_topic(plan: Plan, *, title: str, documents: str = "", acting_user: AnyUser) -> Topic:
    """A topic at the end of a draft plan's list."""
    locked = lock_draft_plan(plan)
    title = _topic_text(title)
    last = locked.topics.aggregate(last=Max("order"))["last"] or 0
    topic = Topic.objects.create(
        plan=locked, order=last + 1, title=title, documents=documents.strip()
    )
    record(
        "plan.topic_add",
        topic,
        acting_user=acting_user,
        unit=locked.issuing_unit,
        after=snapshot(topic, ("plan", "order", "title", "documents")),
    )
    return topic


@transaction.atomic
def do_edit_topic(topic: Topic, *, title: str, documents: str, acting_user: AnyUser) -> Topic:
    locked = lock_draft_plan(topic.plan)
    title = _topic_text(title)
    before = snapshot(topic, ("title", "documents"))
    topic.title, topic.documents = title, documents.strip()
    topic.save(update_fields=["title", "documents"])
    record(
        "plan.topic_edit",
        topic,
        acting_user=acting_user,
        unit=locked.issuing_unit,
        before=before,
        after=snapshot(topic, ("title", "documents")),
    )
    return topic


def _renumber(plan: Plan, topic_ids: Sequence[int]) -> None:
    """Give the plan's topics the orders 1, 2, … in the order of ``topic_ids``. The orders are
    unique per plan, so every topic first moves out of the way (above any order in use)."""
    offset = (plan.topics.aggregate(last=Max("order"))["last"] or 0) + 1
    for n, topic_id in enumerate(topic_ids):
        Topic.objects.filter(pk=topic_id).update(order=offset + n)
    for n, topic_id in enumerate(topic_ids, start=1):
        Topic.objects.filter(pk=topic_id).update(order=n)


@transaction.atomic
def do_remove_topic(topic: Topic, *, acting_user: AnyUser) -> None:
    """Remove a topic of a draft plan; the others close up. The last one stays: a plan has at
    least one topic."""
    locked = lock_draft_plan(topic.plan)
    ids = list(locked.topics.order_by("order").values_list("pk", flat=True))
    if ids == [topic.pk]:
        raise ValidationError(
            _("Kế hoạch phải có ít nhất một chuyên đề; hãy thêm chuyên đề khác trước khi xóa.")
        )
    before = snapshot(topic, ("plan", "order", "title", "documents"))
    target_id = topic.pk
    topic.delete()
    _renumber(locked, [pk for pk in ids if pk != target_id])
    record(
        "plan.topic_remove",
        locked,
        acting_user=acting_user,
        unit=locked.issuing_unit,
        before={**before, "topic": target_id},
    )


@transaction.atomic
def do_reorder_topics(plan: Plan, topic_ids: Sequence[int], *, acting_user: AnyUser) -> None:
    """Put a draft plan's topics in the order of ``topic_ids`` (all of them, each once)."""
    locked = lock_draft_plan(plan)
    current = list(locked.topics.order_by("order").values_list("pk", flat=True))
    if sorted(current) != sorted(topic_ids) or len(set(topic_ids)) != len(topic_ids):
        raise ValidationError(_("Danh sách chuyên đề đã thay đổi; hãy tải lại trang."))
    if list(topic_ids) == current:
        return
    _renumber(locked, topic_ids)
    record(
        "plan.topics_reorder",
        locked,
        acting_user=acting_user,
        unit=locked.issuing_unit,
        before={"topics": current},
        after={"topics": list(topic_ids)},
    )


@transaction.atomic
def do_set_rule(plan: Plan, spec: RuleSpec, *, acting_user: AnyUser) -> LevelRule:
    """Add the rule of a level to a draft plan, or replace the level's rule: the plan's rules
    with this one pass ``check_plan_rules`` or nothing is written."""
    locked = lock_draft_plan(plan)
    rules = _rules_of(locked)
    existing = next((r for r in rules if r.level.code == spec.level_code), None)
    specs = [rule_spec(r) for r in rules if r is not existing]
    levels = check_plan_rules(locked.structure, locked.issuing_unit, [*specs, spec])
    if existing is None:
        rule = _create_rule(locked, spec, levels)
        record(
            "plan.rule_add",
            rule,
            acting_user=acting_user,
            unit=locked.issuing_unit,
            after=_rule_audit(spec),
        )
        return rule
    before = _rule_audit(rule_spec(existing))
    existing.audience = _clean_text(spec.audience)
    existing.length_sessions = spec.length_sessions
    existing.window_start, existing.deadline = spec.window_start, spec.deadline
    existing.online_allowed, existing.presenter_rule = spec.online_allowed, spec.presenter_rule
    existing.save(update_fields=list(RULE_FIELDS))
    existing.participant_levels.set([levels[code] for code in set(spec.participant_level_codes)])
    record(
        "plan.edit_rule",
        existing,
        acting_user=acting_user,
        unit=locked.issuing_unit,
        before=before,
        after=_rule_audit(spec),
    )
    return existing


@transaction.atomic
def do_remove_rule(rule: LevelRule, *, acting_user: AnyUser) -> None:
    """Drop a level from a draft plan (nobody has reported on a draft)."""
    locked = lock_draft_plan(rule.plan)
    before = _rule_audit(rule_spec(rule))
    rule.delete()
    record(
        "plan.rule_remove",
        locked,
        acting_user=acting_user,
        unit=locked.issuing_unit,
        before=before,
    )


def check_plan_ready(plan: Plan) -> None:
    """What a draft plan needs before it goes to the Standing Board: a topic (always) and the
    rule of at least one level."""
    if not plan.rules.exists():
        raise ValidationError(
            _("Kế hoạch chưa có quy định cho cấp nào; hãy thêm quy định trước khi trình.")
        )


@transaction.atomic
def do_issue_plan(
    plan: Plan,
    *,
    issued_on: datetime.date,
    signer_name: str,
    signer_position: str = "BÍ THƯ",
    authority: str = "T/M BAN THƯỜNG VỤ",
    recipients: str = "",
    number: int | None = None,
    reason: str = "",
    acting_user: AnyUser,
) -> Plan:
    """Issue a draft plan: it takes a "KH" number from the register of its issuing unit (the
    next one, or ``number`` with a ``reason``), and that number is the plan's from then on."""
    if plan.state != PlanState.DRAFT:
        raise ValidationError(_("Chỉ ban hành được kế hoạch đang là dự thảo."))
    body = register_queries.register_of(plan.issuing_unit)
    entry = register_actions.do_issue(
        body,
        DocType.KH,
        issued_on=issued_on,
        summary=plan.title,
        signer_name=signer_name,
        signer_position=signer_position,
        authority=authority,
        recipients=recipients,
        target=plan,
        number=number,
        reason=reason,
        acting_user=acting_user,
    )
    before = snapshot(plan, ("state", "number", "issued_on"))
    plan.state, plan.number, plan.issued_on = PlanState.ISSUED, entry.symbol, issued_on
    plan.save(update_fields=["state", "number", "issued_on"])
    record(
        "plan.issue",
        plan,
        acting_user=acting_user,
        unit=plan.issuing_unit,
        before=before,
        after={**snapshot(plan, ("state", "number", "issued_on")), "register_entry": entry.pk},
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
    if spec.length_sessions > MAX_SESSIONS:
        raise ValidationError(
            _("Thời lượng %(n)s buổi là quá dài cho một hội nghị (tối đa %(max)s buổi).")
            % {"n": spec.length_sessions, "max": MAX_SESSIONS}
        )
    # A date a year or more away from the level's window is a slip of the year ("1900", "2012"):
    # refused outright, not a rule problem one could confirm.
    earliest = rule.window_start - datetime.timedelta(days=PLAUSIBLE_DAYS)
    latest = rule.deadline + datetime.timedelta(days=PLAUSIBLE_DAYS)
    if not earliest <= spec.date <= latest:
        raise ValidationError(
            _(
                "Ngày %(d)s quá xa thời gian học tập của cấp này (%(s)s – %(e)s); hãy kiểm tra "
                "lại ngày, nhất là năm."
            )
            % {"d": _dmy(spec.date), "s": _dmy(rule.window_start), "e": _dmy(rule.deadline)}
        )
    for segment in spec.segments:
        if segment.presenter_unit.structure_id != plan.structure_id:
            raise ValidationError(
                _("Đơn vị của báo cáo viên “%(unit)s” không thuộc cơ cấu của kế hoạch.")
                % {"unit": segment.presenter_unit}
            )
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
    known = set(plan.topics.values_list("order", flat=True))
    unknown = sorted({s.topic_order for s in spec.segments if s.topic_order} - known)
    if unknown:
        raise ValidationError(
            _("Kế hoạch không có chuyên đề số %(n)s.") % {"n": ", ".join(map(str, unknown))}
        )
    return rule


# The plan's rules, checked when a conference is registered or its registration edited: each
# problem is named by its rule and shown before anything is saved; a person saves anyway only by
# confirming them (``confirm_problems``), and the confirmation is kept on the conference and in
# the audit event. The judging itself is ``tinhuy.study.compliance``'s, as on the dashboard.

RULE_KEYS = ("window", "length", "mode", "presenter", "topics")


def rule_names() -> dict[str, str]:
    """The name of each rule of a level, as a problem message begins with it."""
    return {
        "window": _("Quy định về thời gian tổ chức"),
        "length": _("Quy định về thời lượng"),
        "mode": _("Quy định về hình thức học trực tuyến, điểm cầu"),
        "presenter": _("Quy định về báo cáo viên"),
        "topics": _("Quy định về chuyên đề"),
    }


@dataclass(frozen=True)
class RuleProblem:
    """One way a registration breaks its level's rule: ``rule`` one of ``RULE_KEYS``,
    ``message`` a full Vietnamese sentence beginning with the rule's name."""

    rule: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}

    def __str__(self) -> str:
        return self.message


class RuleProblemsError(ValidationError):
    """A registration refused until a person confirms its problems (``confirm_problems``)."""

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        super().__init__([p.message for p in problems], code="rule_problems")
        self.problems = list(problems)


def _segment_facts(
    segments: Iterable[SegmentSpec], topic_ids: dict[int, int]
) -> tuple[compliance.SegmentFacts, ...]:
    return tuple(
        compliance.SegmentFacts(
            topic_ids.get(s.topic_order) if s.topic_order else None,
            s.content_kind,
            s.presenter_name,
            s.presenter_role,
            s.presenter_unit.path,
        )
        for s in segments
    )


def registration_problems(
    plan: Plan, rule: LevelRule, spec: ConferenceSpec, *, editing: Conference | None = None
) -> list[RuleProblem]:
    """What the level's rule finds wrong with ``spec`` (checked by ``check_conference``): the
    date against the window, the length, online study with bridge points, the presenters, and
    the topics — those of the host's other conferences of the plan count too (``editing``, the
    registration being changed, is left out of them)."""
    facts = facts_of_rule(rule)
    topic_ids = dict(plan.topics.values_list("order", "id"))
    conference = compliance.ConferenceFacts(
        0,
        spec.host.path,
        spec.date,
        spec.length_sessions,
        spec.mode,
        _segment_facts(spec.segments, topic_ids),
    )
    others = Conference.objects.filter(plan=plan, host=spec.host, cancelled_at__isnull=True)
    if editing is not None:
        others = others.exclude(pk=editing.pk)
    covered = AgendaSegment.objects.filter(conference__in=others.values("id"), topic__isnull=False)
    other_facts = compliance.ConferenceFacts(
        -1,
        spec.host.path,
        spec.date,
        spec.length_sessions,
        spec.mode,
        tuple(
            compliance.SegmentFacts(topic_id, "", "", "", "")
            for topic_id in covered.values_list("topic_id", flat=True).distinct()
        ),
    )
    found: list[tuple[str, str]] = []
    if compliance.is_late(spec.date, rule.deadline):
        found.append(
            (
                "window",
                _(
                    "Ngày tổ chức %(d)s sau hạn hoàn thành %(deadline)s; hội nghị sẽ được ghi là "
                    "tổ chức muộn."
                )
                % {"d": _dmy(spec.date), "deadline": _dmy(rule.deadline)},
            )
        )
    elif spec.date < rule.window_start:
        found.append(
            (
                "window",
                _("Ngày tổ chức %(d)s trước ngày bắt đầu %(start)s của kế hoạch.")
                % {"d": _dmy(spec.date), "start": _dmy(rule.window_start)},
            )
        )
    found += [("length", m) for m in compliance.length_problems(conference, facts)]
    found += [
        ("mode", m) for m in compliance.mode_problems(conference, facts, len(spec.bridge_points))
    ]
    found += [("presenter", m) for m in compliance.presenter_problems(conference, facts)]
    found += [
        ("topics", m)
        for m in compliance.topic_problems([conference, other_facts], topic_ids.values())
    ]
    names = rule_names()
    return [
        RuleProblem(
            key,
            _("%(rule)s (%(level)s): %(detail)s")
            % {"rule": names[key], "level": rule.level.name, "detail": detail},
        )
        for key, detail in found
    ]


def _check_rules(
    plan: Plan,
    rule: LevelRule,
    spec: ConferenceSpec,
    confirm_problems: bool | None,
    *,
    editing: Conference | None = None,
) -> list[RuleProblem]:
    problems = registration_problems(plan, rule, spec, editing=editing)
    if problems and confirm_problems is False:
        raise RuleProblemsError(problems)
    return problems


def _set_problems(
    conference: Conference,
    problems: Sequence[RuleProblem],
    confirm_problems: bool | None,
    acting_user: AnyUser,
) -> None:
    conference.rule_problems = [p.as_json() for p in problems]
    confirmed = bool(problems) and confirm_problems is True
    conference.problems_confirmed_by = user_or_none(acting_user) if confirmed else None
    conference.problems_confirmed_at = timezone.now() if confirmed else None


def _write_agenda(plan: Plan, conference: Conference, spec: ConferenceSpec) -> None:
    topics = {t.order: t for t in plan.topics.all()}
    AgendaSegment.objects.bulk_create(
        AgendaSegment(
            conference=conference,
            province_id=conference.province_id,
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
            province_id=b.unit.province_id,
            venue=b.venue,
            host_person=b.host_person,
            expected_count=b.expected_count,
            attended_count=b.attended_count,
        )
        for b in spec.bridge_points
    )


def _problems_audit(conference: Conference) -> dict[str, Any]:
    return {
        "rule_problems": [p["message"] for p in conference.rule_problems],
        "problems_confirmed": conference.problems_confirmed_at is not None,
    }


@transaction.atomic
def do_register_conference(
    plan: Plan,
    spec: ConferenceSpec,
    *,
    acting_user: AnyUser,
    recorded_at: datetime.datetime | None = None,
    confirm_problems: bool | None = None,
) -> Conference:
    """Register (schedule) a conference, checked against its level's rule first.

    ``confirm_problems``: False (the page, API and file before confirmation) refuses a
    registration the rule finds problems with (``RuleProblemsError``, nothing written); True
    saves it and records who confirmed which problems; None — a loader writing sample or
    historical data as found (demo, bench) — records the problems unconfirmed. A date after
    the deadline is a problem of its own; compliance then flags the conference late.
    """
    rule = check_conference(plan, spec)
    problems = _check_rules(plan, rule, spec, confirm_problems)
    conference = Conference(
        plan=plan,
        rule=rule,
        host=spec.host,
        province_id=spec.host.province_id,
        date=spec.date,
        start_time=spec.start_time,
        length_sessions=spec.length_sessions,
        mode=spec.mode,
        venue=spec.venue,
        recorded_at=recorded_at or timezone.now(),
        recorded_by=user_or_none(acting_user),
    )
    _set_problems(conference, problems, confirm_problems, acting_user)
    conference.save()
    _write_agenda(plan, conference, spec)
    record(
        "conference.register",
        conference,
        acting_user=acting_user,
        unit=spec.host,
        reaches_below=False,
        after={**registration_snapshot(conference), **_problems_audit(conference)},
    )
    return conference


def registration_snapshot(conference: Conference) -> dict[str, Any]:
    """A registration as plain values: what an edit compares and the audit keeps."""
    return {
        **snapshot(
            conference,
            ("plan", "host", "date", "start_time", "length_sessions", "mode", "venue"),
        ),
        "segments": [
            [
                s.topic.order if s.topic else None,
                s.content_kind,
                s.presenter_name,
                s.presenter_role,
                s.presenter_position,
                s.presenter_unit.code,
            ]
            for s in conference.segments.select_related("topic", "presenter_unit").order_by("order")
        ],
        "bridge_points": [
            [b.unit.code, b.venue, b.host_person, b.expected_count]
            for b in conference.bridge_points.select_related("unit").order_by("unit__code")
        ],
    }


def spec_snapshot(conference: Conference, spec: ConferenceSpec) -> dict[str, Any]:
    """``spec`` as ``registration_snapshot`` would read it once written over ``conference``."""
    return {
        "plan": conference.plan_id,
        "host": spec.host.pk,
        "date": spec.date.isoformat(),
        "start_time": spec.start_time.isoformat() if spec.start_time else None,
        "length_sessions": spec.length_sessions,
        "mode": spec.mode,
        "venue": spec.venue,
        "segments": [
            [
                s.topic_order,
                s.content_kind,
                s.presenter_name,
                s.presenter_role,
                s.presenter_position,
                s.presenter_unit.code,
            ]
            for s in spec.segments
        ],
        "bridge_points": [
            [b.unit.code, b.venue, b.host_person, b.expected_count]
            for b in sorted(spec.bridge_points, key=lambda b: b.unit.code)
        ],
    }


def lock_registration(conference: Conference) -> Conference:
    """The conference re-read under lock, if its registration may still change: not cancelled
    and not reported (a reported conference is corrected by amending its report)."""
    _lock(conference)
    locked = Conference.objects.select_related("plan", "rule__level", "host__level").get(
        pk=conference.pk
    )
    if locked.cancelled_at is not None:
        raise ValidationError(_("Hội nghị đã hủy; không sửa hay hủy lại được."), code="cancelled")
    if locked.reports.exists():
        raise ValidationError(
            _(
                "Hội nghị đã có báo cáo; đăng ký không sửa, không hủy được nữa. Số liệu thì sửa "
                "ở trang “Sửa báo cáo”."
            ),
            code="reported",
        )
    return locked


@transaction.atomic
def do_edit_conference(
    conference: Conference,
    spec: ConferenceSpec,
    *,
    acting_user: AnyUser,
    confirm_problems: bool | None = None,
) -> bool:
    """Change a registration until the conference is reported: date, time, length, mode, venue,
    agenda and bridge points (not the host: cancel and register for the other unit). Checked
    against the rule as a registration is (``confirm_problems`` as there). False, and nothing
    written, when ``spec`` is what is registered."""
    locked = lock_registration(conference)
    if spec.host.pk != locked.host_id:
        raise ValidationError(
            _(
                "Không đổi được đơn vị tổ chức của hội nghị đã đăng ký; hãy hủy đăng ký này rồi "
                "đăng ký hội nghị cho đơn vị kia."
            )
        )
    rule = check_conference(locked.plan, spec)
    before = registration_snapshot(locked)
    if spec_snapshot(locked, spec) == before:
        return False
    problems = _check_rules(locked.plan, rule, spec, confirm_problems, editing=locked)
    before |= _problems_audit(locked)
    locked.rule = rule
    locked.date, locked.start_time = spec.date, spec.start_time
    locked.length_sessions, locked.mode, locked.venue = spec.length_sessions, spec.mode, spec.venue
    locked.edited_at = timezone.now()
    _set_problems(locked, problems, confirm_problems, acting_user)
    locked.save(
        update_fields=[
            "rule",
            "date",
            "start_time",
            "length_sessions",
            "mode",
            "venue",
            "edited_at",
            "rule_problems",
            "problems_confirmed_by",
            "problems_confirmed_at",
        ]
    )
    locked.segments.all().delete()
    locked.bridge_points.all().delete()
    _write_agenda(locked.plan, locked, spec)
    record(
        "conference.edit",
        locked,
        acting_user=acting_user,
        unit=locked.host,
        reaches_below=False,
        before=before,
        after={**registration_snapshot(locked), **_problems_audit(locked)},
    )
    conference.refresh_from_db()
    return True


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
    _lock(conference)
    if conference.reports.exists():
        raise ValidationError(
            _("Hội nghị này đã có báo cáo; hãy sửa báo cáo đã có thay vì gửi báo cáo thứ hai."),
            code="already_reported",
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
    _lock(conference)
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
    if conference.cancelled_at is not None:
        raise ValidationError(_("Hội nghị đã hủy; không báo cáo được."), code="cancelled")
    check_report(conference, spec)
    reported_at = reported_at or timezone.now()
    if conference.date > timezone.localdate(reported_at):
        raise ValidationError(
            _("Hội nghị chưa diễn ra (ngày %(d)s); chưa báo cáo được.")
            % {"d": conference.date.strftime("%d/%m/%Y")}
        )
    report = ConferenceReport.objects.create(
        conference=conference,
        province_id=conference.province_id,
        version=version,
        reported_at=reported_at,
        reported_by=user_or_none(acting_user),
        expected_count=spec.expected_count,
        attended_count=spec.attended_count,
        made_up_count=spec.made_up_count,
        reflections_count=spec.reflections_count,
        absence_notes=spec.absence_notes,
        minutes=spec.minutes,
        # Kept on the revision so bridge attendance replays "as of" like the other counts;
        # an amendment that leaves a bridge point out keeps its earlier figure.
        bridge_attended={
            **(previous.bridge_attended if previous else {}),
            **{str(k): v for k, v in spec.bridge_attended.items()},
        },
    )
    for bridge in conference.bridge_points.filter(unit_id__in=list(spec.bridge_attended)):
        bridge.attended_count = spec.bridge_attended[bridge.unit_id]
        bridge.save(update_fields=["attended_count"])
    record(
        "conference.report" if previous is None else "conference.amend_report",
        report,
        acting_user=acting_user,
        unit=conference.host,
        reaches_below=False,
        before=snapshot(previous, REPORT_FIELDS) if previous else None,
        after={
            **snapshot(report, REPORT_FIELDS),
            "version": version,
            "bridge_attended": {str(k): v for k, v in spec.bridge_attended.items()},
        },
    )
    return report


@transaction.atomic
def do_cancel_conference(
    conference: Conference, *, acting_user: AnyUser, reason: str = ""
) -> Conference:
    """Cancel a registration not yet reported, with the reason (the page and the API require
    one). Soft: a cancelled conference stays, and 'as of' before the cancellation still sees
    it."""
    locked = lock_registration(conference)
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = user_or_none(acting_user)
    locked.cancel_reason = _clean_text(reason)
    locked.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    record(
        "conference.cancel",
        locked,
        acting_user=acting_user,
        unit=locked.host,
        reaches_below=False,
        before=snapshot(locked, ("date", "mode", "venue")),
        after={"cancelled_at": locked.cancelled_at.isoformat(), "reason": locked.cancel_reason},
    )
    conference.cancelled_at = locked.cancelled_at
    conference.cancelled_by = locked.cancelled_by
    conference.cancel_reason = locked.cancel_reason
    return locked


# Members and per-person attendance ---------------------------------------------------------

# SQLite refuses more than a few thousand parameters in one query; look codes up in batches.
_LOOKUP_BATCH = 900
_T = TypeVar("_T")


def _batches(values: Sequence[_T]) -> list[Sequence[_T]]:
    return [values[i : i + _LOOKUP_BATCH] for i in range(0, len(values), _LOOKUP_BATCH)]


class StoredMember(NamedTuple):
    """A loaded member, read as plain values: checking 225,000 rows builds no model objects."""

    id: int
    member_code: str
    full_name: str
    cell_id: int
    cell_path: str
    province_id: int


_STORED_FIELDS = ("id", "member_code", "full_name", "cell_id", "cell_path", "province_id")


def _cell_labels(cell_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(code, name) of the cells an error message names: read only when there is one."""
    ids = list(set(cell_ids))
    return {
        pk: (code, name)
        for batch in _batches(ids)
        for pk, code, name in Unit.objects.filter(pk__in=batch).values_list("id", "code", "name")
    }


# Above this many codes one query over the whole subtree beats batches of IN (...) lookups.
_WHOLE_SUBTREE_FROM = 5000


@dataclass(frozen=True)
class Problem:
    """What is wrong with one input row: ``field`` names the spec field the row is wrong in."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message[:1].upper() + self.message[1:]
        return _("Dòng %(row)s: %(detail)s") % {"row": self.row, "detail": self.message}


class ProblemsError(ValidationError):
    """The rows an action refused, each with its problems (for callers that name columns)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__([str(p) for p in problems])
        self.problems = list(problems)


def _where(row: int | None) -> str:
    return _("dòng %(row)s") % {"row": row} if row is not None else _("dữ liệu nhập")


def _lock(conference: Conference) -> None:
    """Hold the conference's row until the transaction ends, so that two writes to it (two
    uploads of one list) run one after the other and the second sees what the first wrote.
    SQLite has no row locks; its transactions begin IMMEDIATE (``settings.DATABASES``), holding
    the database's one write lock from the start, so there is nothing to select there."""
    if connection.features.has_select_for_update:
        Conference.objects.select_for_update().filter(pk=conference.pk).first()


def _scope_of(acting_user: AnyUser) -> Scope | None:
    """Whose scope a message may name things in; None (a system write: demo, command) sees all."""
    return scope_for(acting_user) if acting_user is not None else None


def _sees(scope: Scope | None, path: str) -> bool:
    """Whether a message may name what lies at ``path``. Outside the caller's scope a member or
    a cell is worded as one that does not exist: no message leaks a name or a code."""
    return scope is None or scope.everything or path.startswith(scope.view_paths)


@dataclass(frozen=True)
class MemberSpec:
    """One member of a cell; ``row`` (the file's row) is used only to name it in messages."""

    member_code: str
    full_name: str
    cell: Unit
    row: int | None = None


@dataclass(frozen=True)
class MembersLoaded:
    created: int
    renamed: int
    unchanged: int


def check_members(
    structure: Structure, specs: Sequence[MemberSpec], *, scope: Scope | None = None
) -> list[Problem]:
    """Every problem only the data can tell: a cell outside the structure or not a cell, and a
    member on two cells (twice in the input, or already loaded on another cell). A member loaded
    outside ``scope`` is not named (None: a system caller, who sees everything)."""
    return _check_members(structure, specs, scope)[1]


def _check_members(
    structure: Structure, specs: Sequence[MemberSpec], scope: Scope | None = None
) -> tuple[dict[str, StoredMember], list[Problem]]:
    problems: list[Problem] = []
    cells = {spec.cell.pk: spec.cell for spec in specs}
    with_children: set[int] = set()
    for batch in _batches(list(cells)):
        with_children.update(
            Unit.objects.filter(parent_id__in=batch).values_list("parent_id", flat=True)
        )
    first: dict[str, MemberSpec] = {}
    for spec in specs:
        if spec.cell.structure_id != structure.pk:
            problems.append(
                Problem(
                    spec.row,
                    "cell",
                    _("đơn vị “%(code)s” không thuộc cơ cấu “%(structure)s”.")
                    % {"code": spec.cell.code, "structure": structure},
                )
            )
        elif spec.cell.kind != UnitKind.CELL and spec.cell.pk in with_children:
            # A grassroots organisation without cells holds its members itself; one with cells
            # does not.
            problems.append(
                Problem(
                    spec.row,
                    "cell",
                    _(
                        "“%(code)s” (%(name)s) có chi bộ trực thuộc; đảng viên phải được ghi "
                        "vào chi bộ của mình."
                    )
                    % {"code": spec.cell.code, "name": spec.cell.name},
                )
            )
        if not spec.member_code:
            problems.append(Problem(spec.row, "member_code", _("chưa có số thẻ đảng viên.")))
            continue
        if not spec.full_name:
            problems.append(Problem(spec.row, "full_name", _("chưa có họ và tên.")))
        seen = first.setdefault(spec.member_code, spec)
        if seen is spec:
            continue
        if seen.cell.pk != spec.cell.pk:
            message = _(
                "đảng viên số thẻ “%(code)s” đã có ở %(other)s với chi bộ “%(other_cell)s”, "
                "ở đây với chi bộ “%(cell)s”; một đảng viên chỉ sinh hoạt ở một chi bộ."
            )
        else:
            message = _("số thẻ “%(code)s” đã có ở %(other)s, cùng chi bộ “%(cell)s”.")
        problems.append(
            Problem(
                spec.row,
                "member_code",
                message
                % {
                    "code": spec.member_code,
                    "other": _where(seen.row),
                    "other_cell": seen.cell.code,
                    "cell": spec.cell.code,
                },
            )
        )
    stored = _stored_members(structure.pk, list(first), under=_common_path(cells.values()))
    moved = [
        (spec, member)
        for spec in specs
        if (member := stored.get(spec.member_code)) is not None
        and first.get(spec.member_code) is spec
        and member.cell_id != spec.cell.pk
    ]
    labels = _cell_labels(member.cell_id for _s, member in moved if _sees(scope, member.cell_path))
    for spec, member in moved:
        if member.cell_id not in labels:
            # Loaded outside the caller's scope: the card number is taken (it is unique in the
            # structure), but neither the person nor the cell is named.
            message = _(
                "số thẻ “%(code)s” đã có trong danh sách đảng viên của một chi bộ khác; một đảng "
                "viên chỉ sinh hoạt ở một chi bộ. Hãy kiểm tra lại số thẻ."
            )
            problems.append(Problem(spec.row, "member_code", message % {"code": spec.member_code}))
            continue
        problems.append(
            Problem(
                spec.row,
                "member_code",
                _(
                    "đảng viên số thẻ “%(code)s” (%(name)s) đã sinh hoạt ở chi bộ "
                    "“%(other_cell)s” (%(other_name)s); một đảng viên chỉ sinh hoạt ở một "
                    "chi bộ. Chuyển sinh hoạt đảng chưa làm được qua tệp."
                )
                % {
                    "code": spec.member_code,
                    "name": member.full_name,
                    "other_cell": labels[member.cell_id][0],
                    "other_name": labels[member.cell_id][1],
                },
            )
        )
    return stored, problems


def _common_path(units: Iterable[Unit]) -> str:
    """The path of the lowest unit whose subtree holds all of ``units`` ("/" for none)."""
    parts = [u.path.strip("/").split("/") for u in units]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/" + "".join(f"{part}/" for part in common) if parts else "/"


def _stored_members(
    structure_id: int, codes: Sequence[str], *, under: str = "/"
) -> dict[str, StoredMember]:
    """The loaded members with these codes. The subtree under the path ``under`` is read in one
    index range, at most twice as many rows as there are codes (all of it when the codes are
    many): a file that names most of a unit's members is answered by that one read. The codes
    not found there (when the subtree is larger, or the member lives elsewhere) are looked up
    in batches."""
    wanted = set(codes)
    limit = None if len(wanted) >= _WHOLE_SUBTREE_FROM else 2 * len(wanted) + 1
    read = _subtree_members(under, limit)
    found = {row[1]: StoredMember._make(row) for row in read if row[1] in wanted}
    # Not found: elsewhere, not loaded, or (when the subtree is larger) in the part not read.
    codes = [code for code in codes if code not in found]
    if codes:
        members = Member.objects.filter(structure_id=structure_id)
        for batch in _batches(codes):
            for row in members.filter(member_code__in=batch).values_list(*_STORED_FIELDS):
                found[row[1]] = StoredMember(*row)
    return found


def _subtree_members(under: str, limit: int | None) -> list[tuple[Any, ...]]:
    """The ``_STORED_FIELDS`` of the members under a path (``limit`` rows at most), by one raw
    statement: this read runs for every file uploaded, and building it through the ORM cost
    more than running it. Paths are made of unit ids, so a path names one structure: no
    structure filter, which would lead SQLite to scan the structure's index, not the range."""
    meta, quote = Member._meta, connection.ops.quote_name
    columns = ", ".join(map(quote, _STORED_FIELDS))  # plain columns, named as the fields
    condition, params = subtree_sql(quote("cell_path"), under)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {condition}"  # noqa: S608
    if limit is not None:
        sql += " LIMIT %s"
        params = [*params, limit]  # type: ignore[list-item]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _recorded_members(conference: Conference) -> dict[int, tuple[str, str]]:
    """Member id → (status, reason) of the attendance recorded at ``conference`` (raw, as
    above)."""
    meta, quote = Attendance._meta, connection.ops.quote_name
    sql = (
        f"SELECT {quote('member_id')}, {quote('status')}, {quote('reason')} "  # noqa: S608
        f"FROM {quote(meta.db_table)} WHERE {quote('conference_id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [conference.pk])
        return {member: (status, reason) for member, status, reason in cursor.fetchall()}


def _common_ancestor(units: Sequence[Unit]) -> Unit | None:
    """The lowest unit whose subtree holds all of ``units`` (for the audit event's unit)."""
    path = _common_path(units)
    if path == "/":
        return None
    return Unit.objects.filter(pk=int(path.strip("/").rsplit("/", 1)[-1])).first()


@transaction.atomic
def do_load_members(
    structure: Structure,
    rows: Sequence[MemberSpec],
    *,
    acting_user: AnyUser,
    source: str = "",
) -> MembersLoaded:
    """Load the members of cells, all or none. A member already loaded on the same cell keeps
    their row (their name is updated if it changed); on another cell it is an error."""
    stored, problems = _check_members(structure, rows, _scope_of(acting_user))
    if problems:
        raise ProblemsError(problems)
    new, renamed = [], []
    now = timezone.now()
    for spec in rows:
        full_name = normalize(spec.full_name)
        member = stored.get(spec.member_code)
        if member is None:
            new.append(
                Member(
                    structure=structure,
                    cell=spec.cell,
                    province_id=spec.cell.province_id,
                    member_code=spec.member_code,
                    full_name=full_name,
                    cell_path=spec.cell.path,
                    loaded_at=now,
                )
            )
        elif member.full_name != full_name:
            renamed.append(Member(id=member.id, full_name=full_name))
    Member.objects.bulk_create(new, batch_size=1000)
    added: dict[tuple[str, int], int] = defaultdict(int)
    for loaded in new:
        added[loaded.cell_path, loaded.province_id] += 1
    MemberTally.objects.bulk_create(
        MemberTally(
            structure=structure, cell_path=path, province_id=province, loaded_at=now, count=n
        )
        for (path, province), n in added.items()
    )
    Member.objects.bulk_update(renamed, ["full_name"], batch_size=1000)
    result = MembersLoaded(len(new), len(renamed), len(rows) - len(new) - len(renamed))
    cells = list({spec.cell.pk: spec.cell for spec in rows}.values())
    record(
        "members.load",
        structure,
        acting_user=acting_user,
        unit=_common_ancestor(cells),
        # The counts under each cell moved: a province's list moves the organisations of its
        # cells, and the province is judged again for those, not whole.
        reaches_below=False,
        reached=[cell.path for cell in cells],
        after={
            "created": result.created,
            "renamed": result.renamed,
            "unchanged": result.unchanged,
            "cells": len(cells),
            "source": source,
        },
    )
    return result


class AttendanceSpec(NamedTuple):
    """One member's attendance; ``status`` is an ``AttendanceStatus`` value. A tuple: an import
    makes one per person, 225,000 for a province (``make bench``)."""

    member_code: str
    status: str
    reason: str = ""
    row: int | None = None


class AttendanceChecked(NamedTuple):
    """What ``check_attendance`` found: the members the rows name, every problem, and the ids
    of the members whose row says exactly what is recorded (skipped, counted)."""

    members: dict[str, StoredMember]
    problems: list[Problem]
    unchanged: set[int]


class AttendanceRecorded(NamedTuple):
    recorded: int  # rows written
    unchanged: int  # rows identical to what was recorded: skipped


def check_attendance(
    conference: Conference, specs: Sequence[AttendanceSpec], *, scope: Scope | None = None
) -> AttendanceChecked:
    """The members the rows name, and every problem: unknown members, members outside the host's
    subtree, a member twice, a member already recorded at this conference with another status
    or reason (a row saying what is recorded is no problem: it is skipped), an unknown status.
    A member outside ``scope`` is unknown (None: a system caller, who sees everything)."""
    if conference.cancelled_at is not None:
        raise ValidationError(_("Hội nghị đã hủy; không ghi điểm danh được."))
    if conference.date > timezone.localdate():
        raise ValidationError(
            _("Hội nghị chưa diễn ra (ngày %(d)s); chưa ghi điểm danh được.")
            % {"d": conference.date.strftime("%d/%m/%Y")}
        )
    host = conference.host
    codes = list({s.member_code for s in specs})
    members = _stored_members(host.structure_id, codes, under=host.path)
    recorded = _recorded_members(conference)
    unchanged: set[int] = set()
    problems: list[Problem] = []
    first: dict[str, AttendanceSpec] = {}
    outside: list[tuple[AttendanceSpec, StoredMember]] = []  # members of other units
    statuses = frozenset(AttendanceStatus.values)  # worked out once, not once per row
    reason_max = Attendance._meta.get_field("reason").max_length or 255
    for spec in specs:
        if spec.status not in statuses:
            problems.append(
                Problem(
                    spec.row,
                    "status",
                    _("không có tình trạng “%(status)s”.") % {"status": spec.status},
                )
            )
        if len(spec.reason) > reason_max:
            problems.append(Problem(spec.row, "reason", _("lý do dài quá 255 ký tự.")))
        member = members.get(spec.member_code)
        seen = first.setdefault(spec.member_code, spec)
        if not spec.member_code:
            problems.append(Problem(spec.row, "member_code", _("chưa có số thẻ đảng viên.")))
        elif member is None or (
            # Outside the caller's scope: exactly as a code never loaded.
            not member.cell_path.startswith(host.path) and not _sees(scope, member.cell_path)
        ):
            problems.append(
                Problem(
                    spec.row,
                    "member_code",
                    _("không có đảng viên số thẻ “%(code)s” trong danh sách đảng viên đã nạp.")
                    % {"code": spec.member_code},
                )
            )
        elif not member.cell_path.startswith(host.path):
            outside.append((spec, member))  # worded below, with the cells' codes read once
        elif seen is not spec:
            problems.append(
                Problem(
                    spec.row,
                    "member_code",
                    _("đảng viên số thẻ “%(code)s” đã được điểm danh ở %(other)s.")
                    % {"code": spec.member_code, "other": _where(seen.row)},
                )
            )
        elif member.id in recorded and recorded[member.id] == (spec.status, spec.reason):
            unchanged.add(member.id)  # the same file again, or a list that grew: skipped
        elif member.id in recorded:
            status, reason = recorded[member.id]
            problems.append(
                Problem(
                    spec.row,
                    "member_code",
                    _(
                        "đảng viên số thẻ “%(code)s” (%(name)s) đã được điểm danh ở hội nghị này "
                        "là “%(status)s”%(reason)s; tệp không sửa được điểm danh đã ghi (ghi "
                        "đúng như đã ghi, hoặc bỏ dòng này)."
                    )
                    % {
                        "code": spec.member_code,
                        "name": member.full_name,
                        "status": AttendanceStatus(status).label,
                        "reason": _(", lý do “%(r)s”") % {"r": reason} if reason else "",
                    },
                )
            )
    labels = _cell_labels(member.cell_id for _spec, member in outside)
    problems += [
        Problem(
            spec.row,
            "member_code",
            _(
                "đảng viên số thẻ “%(code)s” (%(name)s) sinh hoạt ở chi bộ “%(cell)s”, "
                "không thuộc %(host)s."
            )
            % {
                "code": spec.member_code,
                "name": member.full_name,
                "cell": labels[member.cell_id][0],
                "host": host.name,
            },
        )
        for spec, member in outside
    ]
    return AttendanceChecked(members, problems, unchanged)


@transaction.atomic
def do_record_attendance(
    conference: Conference,
    rows: Sequence[AttendanceSpec],
    *,
    acting_user: AnyUser,
    source: str = "",
) -> AttendanceRecorded:
    """Record per-person attendance at a held conference, all rows or none; rows saying what is
    recorded are skipped and counted. Once a conference has attendance rows, progress counts
    people from them instead of the reported counts."""
    _lock(conference)
    members, problems, unchanged = check_attendance(conference, rows, scope=_scope_of(acting_user))
    if problems:
        raise ProblemsError(problems)
    if unchanged:
        rows = [s for s in rows if members[s.member_code].id not in unchanged]
        if not rows:
            return AttendanceRecorded(0, len(unchanged))
    now = timezone.now()
    insert_rows(
        Attendance,
        ("conference_id", "member_id", "province_id", "status", "reason", "recorded_at"),
        [
            (conference.pk, member.id, member.province_id, s.status, s.reason, now)
            for s in rows
            for member in (members[s.member_code],)
        ],
    )
    counts = {status: 0 for status in AttendanceStatus.values}
    for spec in rows:
        counts[spec.status] += 1
    insert_rows(
        AttendanceTally,
        ("conference_id", "province_id", "status", "recorded_at", "count"),
        [
            (conference.pk, conference.province_id, status, now, n)
            for status, n in counts.items()
            if n
        ],
    )
    record(
        "conference.attendance",
        conference,
        acting_user=acting_user,
        unit=conference.host,
        reaches_below=False,
        after={**counts, "source": source, "unchanged": len(unchanged)},
    )
    return AttendanceRecorded(len(rows), len(unchanged))


# Invitees and check-in at the door -----------------------------------------------------------


@dataclass(frozen=True)
class InviteeSpec:
    row: int | None
    full_name: str
    position: str = ""
    organisation: str = ""


def check_invitees(conference: Conference, specs: Sequence[InviteeSpec]) -> list[Problem]:
    """Every row needs a name; lengths fit; nobody is on the list twice (same name and unit)."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int | None] = {
        (normalize(i.full_name).casefold(), normalize(i.organisation).casefold()): None
        for i in conference.invitees.all()
    }
    for spec in specs:
        if not spec.full_name:
            problems.append(Problem(spec.row, "full_name", _("chưa có họ và tên.")))
            continue
        for name, value, limit in (
            ("full_name", spec.full_name, 150),
            ("position", spec.position, 255),
            ("organisation", spec.organisation, 255),
        ):
            if len(value) > limit:
                problems.append(Problem(spec.row, name, _("dài quá %(n)s ký tự.") % {"n": limit}))
        key = (normalize(spec.full_name).casefold(), normalize(spec.organisation).casefold())
        if key in seen:
            where = seen[key]
            problems.append(
                Problem(
                    spec.row,
                    "full_name",
                    _("“%(name)s” đã có trong danh sách khách mời.") % {"name": spec.full_name}
                    if where is None
                    else _("“%(name)s” trùng với dòng %(other)s.")
                    % {"name": spec.full_name, "other": where},
                )
            )
        else:
            seen[key] = spec.row
    return problems


@transaction.atomic
def do_add_invitees(
    conference: Conference, specs: Sequence[InviteeSpec], *, acting_user: AnyUser
) -> list[Invitee]:
    """Add people to the conference's invitation list, all rows or none; each gets the token
    of its QR code."""
    _lock(conference)
    if conference.cancelled_at is not None:
        raise ValidationError(_("Hội nghị đã hủy; không thêm khách mời được."))
    problems = check_invitees(conference, specs)
    if problems:
        raise ProblemsError(problems)
    last = conference.invitees.aggregate(n=Max("order"))["n"] or 0
    invitees = Invitee.objects.bulk_create(
        Invitee(
            conference=conference,
            province_id=conference.province_id,
            order=last + number,
            full_name=normalize(spec.full_name),
            position=normalize(spec.position),
            organisation=normalize(spec.organisation),
        )
        for number, spec in enumerate(specs, start=1)
    )
    record(
        "conference.invitees.add",
        conference,
        acting_user=acting_user,
        unit=conference.host,
        reaches_below=False,
        after={"added": len(invitees), "names": [i.full_name for i in invitees[:200]]},
    )
    return invitees


@transaction.atomic
def do_check_in(invitee: Invitee, *, acting_user: AnyUser) -> bool:
    """Mark the invitee present, on the conference day only. A second scan changes nothing
    (the first time stands) and returns False."""
    invitee = (
        Invitee.objects.select_for_update().select_related("conference__host").get(pk=invitee.pk)
    )
    conference = invitee.conference
    if conference.cancelled_at is not None:
        raise ValidationError(_("Hội nghị đã hủy."))
    if timezone.localdate() != conference.date:
        raise ValidationError(
            _("Chỉ điểm danh được vào ngày hội nghị (%(d)s).")
            % {"d": conference.date.strftime("%d/%m/%Y")}
        )
    if invitee.checked_in_at is not None:
        return False
    invitee.checked_in_at = timezone.now()
    invitee.checked_in_by = user_or_none(acting_user)
    invitee.save(update_fields=["checked_in_at", "checked_in_by"])
    record(
        "conference.check_in",
        invitee,
        acting_user=acting_user,
        unit=conference.host,
        reaches_below=False,
        after={"conference": conference.pk, "checked_in_at": invitee.checked_in_at.isoformat()},
    )
    return True


def rebuild_tallies() -> tuple[int, int]:
    """The attendance and member tallies again from the rows (after rows were written other
    than through the actions, e.g. a bulk load); returns how many tallies of each."""
    attendance_groups = (
        Attendance.objects.values_list(
            "conference_id", "conference__province_id", "status", "recorded_at"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    member_groups = (
        Member.objects.values_list("structure_id", "cell_path", "province_id", "loaded_at")
        .annotate(n=Count("id"))
        .order_by()
    )
    with transaction.atomic():
        AttendanceTally.objects.all().delete()
        MemberTally.objects.all().delete()
        for structure_id in Structure.objects.values_list("pk", flat=True):
            versions.bump(structure_id, None)  # every roll-up computed before is stale
        attendance = AttendanceTally.objects.bulk_create(
            AttendanceTally(conference_id=c, province_id=p, status=s, recorded_at=at, count=n)
            for c, p, s, at, n in attendance_groups
        )
        members = MemberTally.objects.bulk_create(
            MemberTally(structure_id=st, cell_path=path, province_id=p, loaded_at=at, count=n)
            for st, path, p, at, n in member_groups
        )
    return len(attendance), len(members)


# --- Reminders --------------------------------------------------------------------------------


@transaction.atomic
def do_send_reminders(
    plan: Plan,
    *,
    as_of: datetime.date,
    within_days: int,
    acting_user: AnyUser | None,
    root: Unit | None = None,
) -> reminders.Outcome:
    """E-mail every reminder not yet sent for this as-of date, over ``root``'s subtree (by
    default the whole plan) within the acting user's scope; one audit event per run.

    What is sent is read by ``reminders.plan_run`` (the command's ``--dry-run`` prints the
    same). The mail leaves after the commit, so a rolled-back run sends nothing.
    """
    reminders.check_can_remind(plan)
    # Two runs at once would both read "not sent yet": the lock on the plan row orders them.
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    scope = scope_for(acting_user) if acting_user is not None else reminders.EVERYTHING
    root = root or plan.issuing_unit
    outcome = reminders.plan_run(plan, as_of=as_of, within_days=within_days, scope=scope, root=root)
    kinds = list(reminders.Kind)
    record(
        reminders.AUDIT_ACTION,
        plan,
        acting_user=acting_user,
        unit=root,
        reaches_below=False,
        after={
            "as_of": as_of.isoformat(),
            "within_days": within_days,
            "root": root.code,
            "counts": {
                **{str(kind): len(outcome.codes(kind)) for kind in kinds},
                "emails": outcome.emails,
                "already_sent": len(outcome.already_sent),
                "no_recipients": len(outcome.no_recipients),
            },
            "sent": {str(kind): outcome.codes(kind) for kind in kinds},
        },
    )
    send_after_commit((r.subject, r.text, r.recipients) for r in outcome.to_send)
    return outcome
