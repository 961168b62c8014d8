"""Compliance of one unit with one level of a plan: pure functions over plain facts.

Nothing here touches the database; ``tinhuy.study.queries`` gathers the facts (as known on a
given date) and calls these. Each rule of the plan is one small function, tested case by case
in ``tests/study/test_compliance.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from django.utils.translation import gettext as _

from tinhuy.study.models import HEAD_ROLES, ContentKind


class Status(StrEnum):
    NOT_SCHEDULED = "not_scheduled"  # nothing registered, deadline not passed
    SCHEDULED = "scheduled"  # registered for a later date
    HELD_ON_TIME = "held_on_time"
    HELD_LATE = "held_late"
    MISSING = "missing"  # deadline passed, nothing held


class ExpectedSource(StrEnum):
    """Where a unit's "people to reach" come from. A unit counts in a rate once it is due: it
    held its conference, or its deadline passed; until then it is not expected yet."""

    NOT_DUE = "not_due"  # nothing held and the deadline not passed: not counted yet
    REPORT = "report"  # its reports (or its per-person attendance) say so
    BRIDGE = "bridge"  # the bridge point's expected count, registered with the conference
    # The next two stand in only at the plan's lowest level, whose audience is all members.
    MEMBERS = "members"  # the member list loaded under it
    HEADCOUNT = "headcount"  # the number of Party members kept on the unit
    SAMPLE_HEADCOUNT = "sample_headcount"  # the same, a demo's invented number
    UNKNOWN = "unknown"  # due, but nothing says how many (above the lowest level: no report)


STATUS_LABELS = {
    Status.NOT_SCHEDULED: "Chưa đăng ký",
    Status.SCHEDULED: "Đã lên lịch",
    Status.HELD_ON_TIME: "Đã tổ chức đúng hạn",
    Status.HELD_LATE: "Tổ chức muộn",
    Status.MISSING: "Chưa tổ chức (quá hạn)",
}


@dataclass(frozen=True)
class RuleFacts:
    level_id: int
    length_sessions: int
    window_start: datetime.date
    deadline: datetime.date
    online_allowed: bool
    presenter_rule: bool


# Facts are tuples: a province's dashboard makes thousands per request, and a frozen dataclass
# costs several times a tuple to build.
class SegmentFacts(NamedTuple):
    topic_id: int | None
    content_kind: str
    presenter_name: str
    presenter_role: str
    presenter_unit_path: str


class ConferenceFacts(NamedTuple):
    id: int
    host_path: str
    date: datetime.date
    length_sessions: int
    mode: str
    segments: tuple[SegmentFacts, ...] = ()


@dataclass(frozen=True)
class People:
    expected: int = 0
    attended: int = 0
    made_up: int = 0

    def as_tuple(self) -> tuple[int, int, int]:
        return self.expected, self.attended, self.made_up

    def __add__(self, other: People) -> People:
        return People(
            self.expected + other.expected,
            self.attended + other.attended,
            self.made_up + other.made_up,
        )

    @property
    def coverage(self) -> float | None:
        """(attended + made up) / expected, or None when nobody is expected."""
        if self.expected == 0:
            return None
        return (self.attended + self.made_up) / self.expected


def is_late(held_on: datetime.date, deadline: datetime.date) -> bool:
    """Held after the deadline of its level (held on the deadline day is on time)."""
    return held_on > deadline


def is_too_short(length_sessions: int, rule: RuleFacts | int) -> bool:
    """Fewer sessions than the rule asks for (``rule``: the rule or its length in sessions)."""
    required = rule if isinstance(rule, int) else rule.length_sessions
    return length_sessions < required


def timing_status(
    held_on: datetime.date | None,
    scheduled_on: datetime.date | None,
    deadline: datetime.date,
    as_of: datetime.date,
) -> Status:
    """The unit's status as of a date, from its earliest held and next scheduled conference."""
    if held_on is not None:
        return Status.HELD_LATE if is_late(held_on, deadline) else Status.HELD_ON_TIME
    if as_of > deadline:
        return Status.MISSING
    if scheduled_on is not None:
        return Status.SCHEDULED
    return Status.NOT_SCHEDULED


def length_problems(conference: ConferenceFacts, rule: RuleFacts) -> list[str]:
    if is_too_short(conference.length_sessions, rule):
        return [
            _("Thời lượng %(held)s buổi, ít hơn quy định %(rule)s buổi.")
            % {"held": conference.length_sessions, "rule": rule.length_sessions}
        ]
    return []


def presenter_problems(conference: ConferenceFacts, rule: RuleFacts) -> list[str]:
    """The presenter rule of the plan.

    A presenter from a higher level may present only the Resolution and the province's Action
    Programme; the unit's own plan is presented by its own Secretary, Chair or head.
    """
    if not rule.presenter_rule:
        return []
    problems = []
    for segment in conference.segments:
        from_host = segment.presenter_unit_path == conference.host_path
        if segment.content_kind == ContentKind.OWN_PLAN:
            if not from_host or segment.presenter_role not in HEAD_ROLES:
                problems.append(
                    _(
                        "Kế hoạch thực hiện của đơn vị do %(name)s trình bày; phải do Bí thư, "
                        "Chủ tịch hoặc thủ trưởng của đơn vị trình bày."
                    )
                    % {"name": segment.presenter_name}
                )
        elif not from_host and not conference.host_path.startswith(segment.presenter_unit_path):
            problems.append(
                _("Báo cáo viên %(name)s không thuộc đơn vị tổ chức hay cấp trên của đơn vị.")
                % {"name": segment.presenter_name}
            )
    return problems


def topic_problems(conferences: Iterable[ConferenceFacts], topic_ids: Iterable[int]) -> list[str]:
    """Every topic of the plan must be presented at one of the unit's conferences."""
    covered = {s.topic_id for c in conferences for s in c.segments if s.topic_id is not None}
    missing = [t for t in topic_ids if t not in covered]
    if missing:
        return [_("Chưa quán triệt đủ chuyên đề (thiếu %(n)s chuyên đề).") % {"n": len(missing)}]
    return []


def mode_problems(conference: ConferenceFacts, rule: RuleFacts, bridge_points: int) -> list[str]:
    """A level that may not study online: a conference with bridge points, or registered as
    online or hybrid (its bridge points not listed yet), breaks the rule."""
    if rule.online_allowed:
        return []
    if bridge_points or conference.mode != "in_person":
        return [_("Cấp này không được phép học trực tuyến có điểm cầu.")]
    return []


def conference_problems(
    conference: ConferenceFacts, rule: RuleFacts, bridge_points: int
) -> list[str]:
    """What is wrong with one conference on its own (length, presenters, online mode)."""
    return [
        *length_problems(conference, rule),
        *presenter_problems(conference, rule),
        *mode_problems(conference, rule, bridge_points),
    ]


def satisfying_conference(
    held: Sequence[ConferenceFacts],
    problems: dict[int, list[str]],
    topic_ids: Iterable[int],
) -> ConferenceFacts | None:
    """The conference with which the unit's compliant conferences (``held`` in date order,
    ``problems`` of each) first cover every topic of the plan, or None. A faulty conference
    neither helps nor undoes it: one compliant conference covering the topics is enough."""
    needed = set(topic_ids)
    covered: set[int] = set()
    for conference in held:
        if problems[conference.id]:
            continue
        covered.update(s.topic_id for s in conference.segments if s.topic_id is not None)
        if needed <= covered:
            return conference
    return None


@dataclass
class UnitProgress:
    """One unit's standing on one level of a plan, as of a date."""

    unit_id: int
    path: str
    level_id: int
    role: str  # "host" or "participant"
    status: Status = Status.NOT_SCHEDULED
    conference_id: int | None = None
    held_on: datetime.date | None = None
    reported: bool = False
    people: People = field(default_factory=People)
    expected_source: ExpectedSource = ExpectedSource.NOT_DUE
    # What makes the unit "Chưa đạt"; ``notes``: what is wrong with a conference that does not
    # decide the unit's standing (a later faulty one, once a compliant one satisfied the plan).
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def non_compliant(self) -> bool:
        return bool(self.problems)

    @property
    def is_due(self) -> bool:
        """Held, or its deadline passed: its people count in the rates."""
        return self.status in (Status.HELD_ON_TIME, Status.HELD_LATE, Status.MISSING)

    @property
    def expected_unknown(self) -> bool:
        return self.expected_source == ExpectedSource.UNKNOWN


def evaluate_host(
    unit_id: int,
    path: str,
    rule: RuleFacts,
    conferences: Sequence[ConferenceFacts],
    *,
    topic_ids: Sequence[int],
    bridge_counts: dict[int, int],
    reported_ids: set[int],
    people: People,
    as_of: datetime.date,
) -> UnitProgress:
    """A unit that must host a conference at the rule's level (conferences: its own, known).

    Its conferences are judged together: the first time its compliant ones cover every topic
    decides its standing (on time or late by that date), and what is wrong with its other
    conferences is noted on them, not on the unit. With no such set, the unit's standing is
    its first conference's timing with every problem found."""
    held = sorted((c for c in conferences if c.date <= as_of), key=lambda c: (c.date, c.id))
    upcoming = sorted((c for c in conferences if c.date > as_of), key=lambda c: c.date)
    progress = UnitProgress(unit_id=unit_id, path=path, level_id=rule.level_id, role="host")
    if not held:
        progress.status = timing_status(
            None, upcoming[0].date if upcoming else None, rule.deadline, as_of
        )
        return progress
    own = {c.id: conference_problems(c, rule, bridge_counts.get(c.id, 0)) for c in held}
    decisive = satisfying_conference(held, own, topic_ids)
    if decisive is not None:
        progress.status = (
            Status.HELD_LATE if is_late(decisive.date, rule.deadline) else Status.HELD_ON_TIME
        )
        progress.notes = [
            _("Hội nghị ngày %(date)s (không tính vào kết quả): %(problem)s")
            % {"date": c.date.strftime("%d/%m/%Y"), "problem": problem}
            for c in held
            for problem in own[c.id]
        ]
    else:
        decisive = held[0]
        progress.status = timing_status(decisive.date, None, rule.deadline, as_of)
        progress.problems = [problem for c in held for problem in own[c.id]]
        progress.problems += topic_problems(held, topic_ids)
    progress.conference_id = decisive.id
    progress.held_on = decisive.date
    progress.reported = any(c.id in reported_ids for c in held)
    progress.people = people
    return progress


def evaluate_participant(
    unit_id: int,
    path: str,
    rule: RuleFacts,
    attended: Sequence[tuple[ConferenceFacts, People, bool]],
    *,
    as_of: datetime.date,
) -> UnitProgress:
    """A unit that must take part in a conference hosted above it (as a bridge point).

    ``attended``: (conference, the bridge point's people, whether the conference was reported).
    """
    progress = UnitProgress(unit_id=unit_id, path=path, level_id=rule.level_id, role="participant")
    held = sorted(((c, p, r) for c, p, r in attended if c.date <= as_of), key=lambda x: x[0].date)
    upcoming = [c for c, _, _ in attended if c.date > as_of]
    progress.status = timing_status(
        held[0][0].date if held else None,
        min((c.date for c in upcoming), default=None),
        rule.deadline,
        as_of,
    )
    if held:
        conference, people, reported = held[0]
        progress.conference_id = conference.id
        progress.held_on = conference.date
        progress.reported = reported
        progress.people = people if reported else People(expected=people.expected)
    return progress


# Iterating an enum class runs a generator per member: a province's dashboard makes thousands
# of totals (one per level of each unit right below it), so the members are listed once.
STATUSES = tuple(Status)


@dataclass
class LevelTotals:
    level_id: int
    units: int = 0
    by_status: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    reported: int = 0
    non_compliant: int = 0
    unknown: int = 0  # units due whose people to reach nobody knows: left out of the rate
    # People summed as numbers (a ``People`` per unit added would be thousands of objects).
    expected: int = 0
    attended: int = 0
    made_up: int = 0

    @property
    def people(self) -> People:
        return People(self.expected, self.attended, self.made_up)

    def add(self, progress: UnitProgress) -> None:
        self.units += 1
        self.by_status[progress.status] += 1
        self.reported += progress.reported
        self.non_compliant += bool(progress.problems)
        self.unknown += progress.expected_source == ExpectedSource.UNKNOWN
        people = progress.people
        self.expected += people.expected
        self.attended += people.attended
        self.made_up += people.made_up


def merge(a: LevelTotals, b: LevelTotals) -> LevelTotals:
    """The totals of two disjoint sets of units of one level (two provinces')."""
    if a.level_id != b.level_id:
        raise ValueError(f"Totals of levels {a.level_id} and {b.level_id} do not add up.")
    return LevelTotals(
        level_id=a.level_id,
        units=a.units + b.units,
        by_status={status: a.by_status[status] + b.by_status[status] for status in STATUSES},
        reported=a.reported + b.reported,
        non_compliant=a.non_compliant + b.non_compliant,
        unknown=a.unknown + b.unknown,
        expected=a.expected + b.expected,
        attended=a.attended + b.attended,
        made_up=a.made_up + b.made_up,
    )


def roll_up(progress: Iterable[UnitProgress], level_ids: Sequence[int]) -> list[LevelTotals]:
    """Totals per level, in the order given (top level first)."""
    totals = {level_id: LevelTotals(level_id) for level_id in level_ids}
    for item in progress:
        totals[item.level_id].add(item)
    return [totals[level_id] for level_id in level_ids]
