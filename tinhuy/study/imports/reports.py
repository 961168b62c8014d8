"""The conference report by Excel: the template a unit fills in, and its upload.

``report_template`` writes an .xlsx pre-filled with one row per conference the chosen unit's
subtree must host (each unit at a level the plan has a rule for), a guide, and a hidden sheet
``_meta`` naming the plan and the template version. ``import_reports`` reads the filled file
back: every row is validated first, then one transaction registers (``do_register_conference``)
and reports (``do_report_conference``) every filled row, or nothing is written.

Every error names the spreadsheet row (header = row 1) and column as the user sees them. A unit
code outside the uploader's scope is answered exactly as a code that does not exist.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.documents.tables import (
    ZIP_MAGIC,
    Errors,
    Line,
    RowError,
    TableRefused,
    capped,
    cell_error,
    cell_text,
    choices_by_key,
    file_error,
    header_key,
    parse_count,
    parse_date,
    read_lines,
    read_table,
    size_error,
    sort_errors,
    vietnamese_choices,
)
from tinhuy.documents.xlsx import META_SHEET, Column, Sheet, template_xlsx
from tinhuy.org.access import Scope, scope_for
from tinhuy.org.models import Unit
from tinhuy.search.text import fold
from tinhuy.study.actions import (
    BridgeSpec,
    ConferenceSpec,
    ReportSpec,
    RuleProblemsError,
    SegmentSpec,
    do_amend_report,
    do_edit_conference,
    do_register_conference,
    do_report_conference,
)
from tinhuy.study.forms import MAX_SESSIONS  # the bound of the page form
from tinhuy.study.imports.common import units_in_scope
from tinhuy.study.models import (
    AgendaSegment,
    Conference,
    ConferenceMode,
    ConferenceReport,
    ContentKind,
    LevelRule,
    Plan,
    PlanState,
    PresenterRole,
)

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

# Raise when the report template's columns or _meta change; older files are then refused.
TEMPLATE_VERSION = 2  # 2: the topics and their presenter
REPORT_SHEET = "Báo cáo"
DATE_FORMAT = "%d/%m/%Y"

# Field → header, in the template's order. Headers are matched folded (case, marks, đ/d).
REPORT_COLUMNS = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "level": "Cấp",
    "deadline": "Hạn hoàn thành",
    "status": "Tình trạng",
    "date": "Ngày tổ chức",
    "length": "Thời lượng (buổi)",
    "mode": "Hình thức",
    "venue": "Địa điểm",
    "expected": "Số người phải dự",
    "attended": "Số người dự",
    "made_up": "Số người học bù",
    "reflections": "Số bài thu hoạch",
    "presenter": "Người trình bày kế hoạch của đơn vị",
    "presenter_role": "Chức danh người trình bày",
    "topics": "Chuyên đề đã quán triệt",
    "topic_presenter": "Báo cáo viên chuyên đề",
}
# ``_meta`` keys naming the registered conference a row was pre-filled with: a date typed over
# the pre-filled one moves that conference instead of registering a second one.
PREFILLED_KEY = "hoi_nghi:"
# Written for the reader, never read back: a changed name or deadline in the file changes nothing.
REPORT_INFO = ("name", "level", "deadline", "status")
REPORT_ENTRY = (
    "date",
    "length",
    "mode",
    "venue",
    "expected",
    "attended",
    "made_up",
    "reflections",
    "presenter",
    "presenter_role",
    "topics",
    "topic_presenter",
)
_WIDTHS = (14, 44, 22, 14, 30, 14, 10, 24, 28, 10, 10, 10, 10, 30, 18, 16, 36)
_COUNTS = ("expected", "attended", "made_up", "reflections")
# “Chuyên đề đã quán triệt”: the topics' numbers (“1, 2”, “1; 2”, “1 và 2”) or every topic.
_ALL_TOPICS = frozenset({"tat ca", "ca hai", "ca 2", "toan bo"})
_TOPIC_SEPARATORS = re.compile(r"\s*(?:[,;/+]|\bva\b)\s*|\s+")


def mode_choices() -> list[tuple[str, str]]:
    return vietnamese_choices(ConferenceMode.choices)


def role_choices() -> list[tuple[str, str]]:
    return vietnamese_choices(PresenterRole.choices)


def _modes() -> dict[str, str]:
    return choices_by_key(mode_choices(), ("hybrid", "Kết hợp"), ("online", "Trực tuyến"))


def _roles() -> dict[str, str]:
    return choices_by_key(role_choices())


def _day(value: datetime.date) -> str:
    return value.strftime(DATE_FORMAT)


def _sorted(errors: Iterable[RowError]) -> Errors:
    return capped(sort_errors(errors, REPORT_COLUMNS))


# Report template ---------------------------------------------------------------------------


def expected_hosts(plan: Plan, root: Unit, scope: Scope) -> list[tuple[Unit, LevelRule]]:
    """Every unit of ``root``'s subtree (in scope) the plan expects to host a conference."""
    rules = {rule.level_id: rule for rule in plan.rules.select_related("level")}
    units = scope.units(
        Unit.objects.filter(
            structure_id=plan.structure_id, path__startswith=root.path, level_id__in=list(rules)
        )
    ).order_by("level__order", "name_sort", "id")
    return [(unit, rules[unit.level_id]) for unit in units]


def report_template(plan: Plan, root: Unit, scope: Scope) -> bytes:
    """The .xlsx to fill in: one row per expected conference, a guide, and the hidden ``_meta``.

    A unit with a registered but unreported conference gets its date, length, mode and venue
    pre-filled, so only the numbers remain to be typed.
    """
    hosts = expected_hosts(plan, root, scope)
    known: dict[int, list[Any]] = defaultdict(list)  # conferences annotated with n_reports
    conferences = (
        Conference.objects.filter(
            plan=plan, cancelled_at__isnull=True, host_id__in=[u.pk for u, _ in hosts]
        )
        .annotate(n_reports=Count("reports"))
        .prefetch_related("segments__topic")
        .order_by("date", "id")
    )
    for conference in conferences:
        known[conference.host_id].append(conference)
    modes, roles = dict(mode_choices()), dict(role_choices())

    rows = []
    prefilled: dict[str, int] = {}  # the conference each pre-filled row was written from
    for unit, rule in hosts:
        mine = known.get(unit.pk, [])
        reported = [c for c in mine if c.n_reports]
        pending = [c for c in mine if not c.n_reports]
        if reported:
            status = _("Đã báo cáo hội nghị ngày %(d)s") % {"d": _day(reported[0].date)}
        elif pending:
            status = _("Đã đăng ký ngày %(d)s, chưa báo cáo") % {"d": _day(pending[0].date)}
        else:
            status = _("Chưa đăng ký")
        row: list[Any] = [unit.code, unit.name, unit.level.name, _day(rule.deadline), status]
        if pending and not reported:
            conference = pending[0]
            prefilled[f"{PREFILLED_KEY}{unit.code}"] = conference.pk
            segments = list(conference.segments.all())
            presenter = next((s for s in segments if s.content_kind == ContentKind.OWN_PLAN), None)
            topic_segments = [s for s in segments if s.topic_id is not None]
            row += [
                _day(conference.date),
                conference.length_sessions,
                modes.get(conference.mode, conference.mode),
                conference.venue,
                None,
                None,
                None,
                None,
                presenter.presenter_name if presenter else None,
                roles.get(presenter.presenter_role) if presenter else None,
                _topic_numbers(topic_segments) or None,
                _topic_presenters(topic_segments) or None,
            ]
        rows.append(row + [None] * (len(REPORT_COLUMNS) - len(row)))

    choices = {"mode": list(modes.values()), "presenter_role": list(roles.values())}
    columns = [
        Column(
            header,
            width,
            # Text: Excel keeps “05/01/2021” as typed instead of guessing a month-first date.
            typed_as_text=key == "date",
            choices=choices.get(key, ()),
            read_only=key in ("code", *REPORT_INFO),
        )
        for (key, header), width in zip(REPORT_COLUMNS.items(), _WIDTHS, strict=True)
    ]
    return template_xlsx(
        Sheet(REPORT_SHEET, columns, rows=rows, freeze="C2"),
        guide=_guide_lines(plan, root),
        meta={
            "plan_id": plan.pk,
            "template_version": TEMPLATE_VERSION,
            "unit_id": root.pk,
            "generated_at": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
            **prefilled,
        },
    )


def _topic_numbers(segments: Iterable[Any]) -> str:
    """“1, 2”: the plan's numbers of the topics these agenda segments present."""
    return ", ".join(str(n) for n in sorted({s.topic.order for s in segments if s.topic}))


def _topic_presenters(segments: Iterable[Any]) -> str:
    return "; ".join(dict.fromkeys(s.presenter_name for s in segments))


def _guide_lines(plan: Plan, root: Unit) -> list[list[str]]:
    rules = [
        [
            rule.level.name,
            _("%(n)s buổi; từ %(start)s đến hạn %(deadline)s; %(audience)s")
            % {
                "n": rule.length_sessions,
                "start": _day(rule.window_start),
                "deadline": _day(rule.deadline),
                "audience": rule.audience,
            },
        ]
        for rule in plan.rules.select_related("level")
    ]
    return [
        [_("Báo cáo kết quả học tập, quán triệt: %(plan)s") % {"plan": plan.title}],
        [_("Đơn vị"), f"{root.code} — {root.name}"],
        [
            _("Cách dùng"),
            _(
                "Mỗi dòng của trang “%(sheet)s” là một hội nghị đơn vị phải tổ chức. Điền các "
                "dòng đã tổ chức (hoặc đã lên lịch), để trống các dòng khác. Mọi dòng được kiểm "
                "tra trước; có một lỗi thì không dòng nào được ghi. Tải lên lại tệp đã gửi không "
                "ghi gì hai lần: dòng giống dữ liệu đã ghi được bỏ qua; dòng sửa số liệu của hội "
                "nghị đã báo cáo thành bản báo cáo sửa. Không đổi tên, không xóa trang “_meta” "
                "(ẩn): nó cho biết kế hoạch, phiên bản tệp mẫu và các hội nghị đã điền sẵn."
            )
            % {"sheet": REPORT_SHEET},
        ],
        [],
        [_("Các cột")],
        [_("Mã đơn vị"), _("Mã của đơn vị tổ chức hội nghị; không sửa.")],
        [
            _("Tên đơn vị, Cấp, Hạn hoàn thành, Tình trạng"),
            _("Để đọc; sửa các cột này không thay đổi gì."),
        ],
        [
            _("Ngày tổ chức"),
            _(
                "Dạng dd/mm/yyyy, ví dụ 05/01/2021 hoặc 5/1/2021. Ngày sau hạn hoặc trước thời "
                "gian của kế hoạch chỉ được ghi khi bạn xác nhận “Vẫn lưu” lúc tải lên. Ghi ngày "
                "khác lên ngày đã điền sẵn (hội nghị chưa báo cáo) là dời hội nghị ấy."
            ),
        ],
        [_("Thời lượng (buổi)"), _("Số buổi (nửa ngày); một ngày là 2 buổi.")],
        [_("Hình thức"), ", ".join(label for _v, label in mode_choices())],
        [_("Địa điểm"), _("Nơi tổ chức.")],
        [
            _("Số người phải dự, Số người dự, Số người học bù, Số bài thu hoạch"),
            _(
                "Số nguyên, không âm; số người dự không lớn hơn số người phải dự; số người học "
                "bù không lớn hơn số người vắng. Để trống cả bốn cột nếu hội nghị chưa diễn ra "
                "(chỉ đăng ký lịch)."
            ),
        ],
        [
            _("Người trình bày kế hoạch của đơn vị, Chức danh"),
            _("Họ tên và chức danh người trình bày kế hoạch thực hiện của đơn vị; chức danh: ")
            + ", ".join(label for _v, label in role_choices()),
        ],
        [
            _("Chuyên đề đã quán triệt"),
            _(
                "Số thứ tự các chuyên đề đã trình bày tại hội nghị, ví dụ “1, 2”, hoặc “Tất cả”. "
                "Chuyên đề nào chưa trình bày thì hội nghị bị ghi là chưa quán triệt đủ chuyên đề."
            ),
        ],
        [
            _("Báo cáo viên chuyên đề"),
            _(
                "Họ tên báo cáo viên trình bày các chuyên đề, kèm đơn vị nếu là báo cáo viên cấp "
                "trên, ví dụ “Nguyễn Văn A, Ban Tuyên giáo Huyện ủy”; bắt buộc khi có chuyên đề."
            ),
        ],
        [],
        [_("Chuyên đề của kế hoạch")],
        *[[str(topic.order), topic.title] for topic in plan.topics.order_by("order")],
        [],
        [_("Quy định theo cấp")],
        *rules,
    ]


# Report upload -----------------------------------------------------------------------------


@dataclass
class ReportRow:
    """One filled row, validated: what it registers, changes, reports or amends — or nothing,
    when it says what is already recorded (``unchanged``)."""

    number: int
    host: Unit
    rule: LevelRule
    date: datetime.date
    existing: Conference | None  # the registered conference the row names
    registration: ConferenceSpec | None  # a new conference, or the changed one of ``existing``
    report: ReportSpec | None  # a first report
    amendment: ReportSpec | None = None  # new figures for a reported conference
    notes: list[str] = field(default_factory=list)  # the rule's problems, confirmed
    conference: Conference | None = None  # after writing

    @property
    def late(self) -> bool:
        return self.date > self.rule.deadline

    @property
    def unchanged(self) -> bool:
        return (
            self.existing is not None
            and self.registration is None
            and self.report is None
            and self.amendment is None
        )

    def done(self) -> list[str]:
        """What writing the row did, in words (for the result page)."""
        words = []
        if self.registration is not None:
            words.append(_("đăng ký") if self.existing is None else _("sửa đăng ký"))
        if self.report is not None:
            words.append(_("báo cáo"))
        if self.amendment is not None:
            words.append(_("sửa báo cáo (bản mới)"))
        return words


@dataclass(frozen=True)
class ReportImport:
    """What an upload did: the rows written, the rows already recorded as they are
    (``unchanged``), or why nothing was written — ``errors`` (bad cells), or ``problems``: the
    rows the level's rules find problems with, awaiting the user's confirmation (``digest``,
    posted back with it)."""

    rows: list[ReportRow]
    errors: list[RowError]
    unchanged: list[ReportRow] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)
    digest: str = ""

    @property
    def written(self) -> list[ReportRow]:
        return [row for row in self.rows if not row.unchanged]


# The column a problem of each rule is shown in.
_RULE_COLUMNS = {
    "window": "date",
    "length": "length",
    "mode": "mode",
    "presenter": "presenter",
    "topics": "topics",
}


def problems_digest(problems: Sequence[RowError]) -> str:
    """A fingerprint of the problems an upload showed, posted back with “Vẫn lưu”."""
    text = "\n".join(f"{p.row}:{p.column}:{p.message}" for p in problems)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def import_reports(
    plan: Plan,
    file_bytes: bytes,
    filename: str,
    *,
    acting_user: AnyUser,
    confirmed_digest: str = "",
) -> ReportImport:
    """Check the whole file, then write every row that changes something in one transaction.

    A row that says what is recorded is skipped and counted; one that changes a registration
    not yet reported edits it; new figures for a reported conference amend its report (a new
    version). Registrations are checked against the level's rule: if the rule finds problems,
    nothing is written and they are returned, unless ``confirmed_digest`` is the digest of
    exactly those problems (the user saw them and ticked “Vẫn lưu”): then all is written and
    the confirmation recorded on each conference.
    """
    lines, errors = read_report_file(plan, file_bytes, filename)
    if errors:
        return ReportImport([], capped(errors))
    prefilled = read_prefilled(file_bytes, filename)
    result = _import(plan, lines, prefilled, acting_user=acting_user, confirm=False)
    if result.problems and confirmed_digest and confirmed_digest == result.digest:
        result = _import(plan, lines, prefilled, acting_user=acting_user, confirm=True)
    return result


class _Undo(Exception):
    """Leave the transaction without writing: the rule found problems to confirm first."""


def _import(
    plan: Plan,
    lines: Sequence[Line],
    prefilled: dict[str, int],
    *,
    acting_user: AnyUser,
    confirm: bool,
) -> ReportImport:
    problems: list[RowError] = []
    try:
        with transaction.atomic():
            rows, errors = validate_reports(plan, scope_for(acting_user), lines, prefilled)
            if errors:
                return ReportImport([], errors)
            for row in rows:
                problems += _write_row(plan, row, acting_user=acting_user, confirm=confirm)
            if problems:
                raise _Undo
    except _Undo:
        shown = _sorted(problems)
        return ReportImport([], [], problems=shown, digest=problems_digest(shown))
    except _RowFailed as failed:
        return ReportImport([], [failed.error])
    except IntegrityError:
        message = _("Dữ liệu vừa được người khác thay đổi trong lúc nhập; hãy nhập lại tệp.")
        return ReportImport([], file_error(message))
    written = [row for row in rows if not row.unchanged]
    return ReportImport(written, [], unchanged=[row for row in rows if row.unchanged])


class _RowFailed(Exception):
    """An action refused a row after validation (a concurrent change): undo the whole file."""

    def __init__(self, error: RowError) -> None:
        self.error = error


def _write_row(
    plan: Plan, row: ReportRow, *, acting_user: AnyUser, confirm: bool
) -> list[RowError]:
    """Write one row; the rule's problems with its registration, if it has any unconfirmed
    (then the row is not written and the caller undoes the file)."""
    conference = row.existing
    try:
        if row.registration is not None and conference is None:
            conference = do_register_conference(
                plan, row.registration, acting_user=acting_user, confirm_problems=confirm
            )
        elif row.registration is not None and conference is not None:
            do_edit_conference(
                conference, row.registration, acting_user=acting_user, confirm_problems=confirm
            )
        if conference is None:
            raise RuntimeError("A validated row has a conference or a registration.")
        if row.report is not None:
            do_report_conference(conference, row.report, acting_user=acting_user)
        if row.amendment is not None:
            do_amend_report(conference, row.amendment, acting_user=acting_user)
    except RuleProblemsError as exc:
        return [
            cell_error(REPORT_COLUMNS, row.number, _RULE_COLUMNS[p.rule], p.message)
            for p in exc.problems
        ]
    except ValidationError as exc:
        detail = " ".join(exc.messages)
        message = _("Dòng %(row)s: %(detail)s") % {"row": row.number, "detail": detail}
        raise _RowFailed(RowError(row.number, None, message)) from exc
    row.conference = conference
    if row.registration is not None:
        row.notes = [p["message"] for p in conference.rule_problems]
    return []


def read_report_file(
    plan: Plan, file_bytes: bytes, filename: str
) -> tuple[list[Line], list[RowError]]:
    """The filled rows of a report template of this plan, or why the file is refused."""
    error = size_error(len(file_bytes))
    if error is not None:
        return [], [error]
    if not file_bytes.startswith(ZIP_MAGIC):
        return [], file_error(
            _(
                "Báo cáo chỉ nhận tệp .xlsx tải từ trang này (tệp “%(name)s” không phải .xlsx); "
                "hãy tải tệp mẫu, điền rồi tải lên lại."
            )
            % {"name": filename}
        )
    try:
        # Without a sheet “_meta” the first sheet comes back, which names no plan: refused below.
        meta = _meta_values(read_table(file_bytes, filename, sheet=META_SHEET))
        if "plan_id" not in meta and "template_version" not in meta:
            return [], file_error(
                _(
                    "Tệp không phải tệp mẫu báo cáo của hệ thống (không có trang tính ẩn "
                    "“%(meta)s”); hãy tải tệp mẫu của kế hoạch này rồi điền vào đó."
                )
                % {"meta": META_SHEET}
            )
        errors = _meta_errors(plan, meta)
        if errors:
            return [], errors
        table = read_table(file_bytes, filename, sheet=REPORT_SHEET, require_sheet=True)
    except TableRefused as refused:
        return [], refused.errors
    lines, errors = read_lines(table, REPORT_COLUMNS, ("code", *REPORT_ENTRY))
    if errors:
        return [], errors
    filled = [line for line in lines if line.filled(REPORT_ENTRY)]
    if not filled:
        return [], file_error(
            _("Tệp chưa có dòng nào được điền: hãy ghi ngày tổ chức và số liệu của hội nghị.")
        )
    return filled, []


def read_prefilled(file_bytes: bytes, filename: str) -> dict[str, int]:
    """Unit code → the conference its row was pre-filled with, from ``_meta`` of a file
    ``read_report_file`` accepted (a template older than these keys has none)."""
    meta = _meta_values(read_table(file_bytes, filename, sheet=META_SHEET))
    return {
        key.removeprefix(PREFILLED_KEY): int(value)
        for key, (_row, value) in meta.items()
        if key.startswith(PREFILLED_KEY) and value.isascii() and value.isdigit()
    }


def _meta_values(table: list[list[Any]]) -> dict[str, tuple[int, str]]:
    """Key → (row, value) of the sheet ``_meta``."""
    meta = {}
    for number, cells in enumerate(table, start=1):
        if cells and cell_text(cells[0]):
            meta[cell_text(cells[0])] = (number, cell_text(cells[1]) if len(cells) > 1 else "")
    return meta


def _meta_errors(plan: Plan, meta: dict[str, tuple[int, str]]) -> list[RowError]:

    def where(key: str) -> str:
        number = meta.get(key, (None, ""))[0]
        return _("Trang tính “%(sheet)s”, dòng %(row)s, cột B") % {
            "sheet": META_SHEET,
            "row": number,
        }

    plan_id = meta.get("plan_id", (None, ""))[1]
    if plan_id != str(plan.pk):
        message = _(
            "%(where)s: tệp mẫu này không phải của kế hoạch “%(plan)s” (mã kế hoạch trong tệp: "
            "“%(found)s”); hãy tải tệp mẫu của kế hoạch này."
        ) % {"where": where("plan_id"), "plan": plan.title, "found": plan_id}
        return file_error(message)
    version = meta.get("template_version", (None, ""))[1]
    if version != str(TEMPLATE_VERSION):
        message = _(
            "%(where)s: tệp mẫu phiên bản “%(found)s” đã cũ; hãy tải tệp mẫu mới (phiên bản "
            "%(current)s) và chép số liệu sang."
        ) % {"where": where("template_version"), "found": version, "current": TEMPLATE_VERSION}
        return file_error(message)
    return []


def validate_reports(
    plan: Plan, scope: Scope, lines: Sequence[Line], prefilled: dict[str, int] | None = None
) -> tuple[list[ReportRow], list[RowError]]:
    """What each filled row registers and reports, or every error of every row (then no rows)."""
    if plan.state != PlanState.ISSUED:
        return [], file_error(_("Kế hoạch chưa ban hành hoặc đã kết thúc; không nhận báo cáo."))
    check = _ReportChecker.load(plan, scope, lines, prefilled or {})
    rows = [row for row in (check.row(line) for line in lines) if row is not None]
    if check.errors:
        return [], _sorted(check.errors)
    return rows, []


@dataclass
class _ReportChecker:
    plan: Plan
    scope: Scope
    units: dict[str, Unit]
    rules: dict[int, LevelRule]
    known: dict[tuple[int, datetime.date], Conference]  # (host, date) → registered conference
    latest: dict[int, ConferenceReport]  # conference → its latest report revision
    prefilled: dict[int, Conference]  # host → the registered conference its row was filled with
    topics: list[int]  # the plan's topic numbers
    today: datetime.date
    first_line: dict[tuple[int, datetime.date], Line] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @classmethod
    def load(
        cls, plan: Plan, scope: Scope, lines: Sequence[Line], prefilled: dict[str, int]
    ) -> _ReportChecker:
        units = units_in_scope(scope, plan.structure_id, (line.text("code") for line in lines))
        conferences = (
            Conference.objects.filter(
                plan=plan, cancelled_at__isnull=True, host_id__in=[u.pk for u in units.values()]
            )
            .annotate(n_reports=Count("reports"))
            .prefetch_related("segments__topic", "segments__presenter_unit", "bridge_points__unit")
            .order_by("id")
        )
        units_by_id = {u.pk: u for u in units.values()}
        latest: dict[int, ConferenceReport] = {}
        for report in ConferenceReport.objects.filter(
            conference__in=[c for c in conferences if c.n_reports]  # type: ignore[attr-defined]
        ).order_by("conference_id", "-version"):
            latest.setdefault(report.conference_id, report)
        return cls(
            plan=plan,
            scope=scope,
            units=units,
            rules={rule.level_id: rule for rule in plan.rules.select_related("level")},
            known={(c.host_id, c.date): c for c in conferences},
            latest=latest,
            prefilled={
                c.host_id: c
                for c in conferences
                if prefilled.get(units_by_id[c.host_id].code) == c.pk
            },
            topics=sorted(plan.topics.values_list("order", flat=True)),
            today=timezone.localdate(),
        )

    def error(self, line: Line, key: str, detail: str) -> None:
        self.errors.append(cell_error(REPORT_COLUMNS, line.number, key, detail))

    def row(self, line: Line) -> ReportRow | None:
        before = len(self.errors)
        host, rule = self.host(line)
        day = self.date(line)
        counts = self.counts(line)
        existing = self.known.get((host.pk, day)) if host is not None and day else None
        if existing is None and host is not None and day is not None:
            # Another date typed over the pre-filled one moves that conference.
            existing = self.prefilled.get(host.pk)
        # A new conference needs every registration cell; a registered one, only those changed.
        registration = self.registration(line) if existing is None else None
        changed = (
            self.changed_registration(line, existing, day)
            if existing is not None and day is not None
            else None
        )
        if host is None or rule is None or day is None or len(self.errors) > before:
            return None
        if counts is not None and day > self.today:
            self.error(
                line,
                "date",
                _(
                    "hội nghị ngày %(d)s chưa diễn ra, chưa báo cáo số liệu được; để trống các "
                    "cột số liệu nếu chỉ đăng ký lịch."
                )
                % {"d": _day(day)},
            )
            return None
        other = self.first_line.setdefault((host.pk, day), line)
        if other is not line:
            self.error(
                line,
                "date",
                _("dòng %(other)s đã ghi hội nghị ngày %(d)s của đơn vị “%(code)s”.")
                % {"other": other.number, "d": _day(day), "code": host.code},
            )
            return None
        if existing is not None:
            return self.existing_row(line, host, rule, day, existing, changed, counts)
        if registration is None:
            return None
        return ReportRow(
            line.number,
            host,
            rule,
            day,
            existing=None,
            registration=ConferenceSpec(host=host, date=day, **registration),
            report=counts,
        )

    def existing_row(
        self,
        line: Line,
        host: Unit,
        rule: LevelRule,
        day: datetime.date,
        conference: Conference,
        changed: tuple[ConferenceSpec, list[str]] | None,
        counts: ReportSpec | None,
    ) -> ReportRow | None:
        """A row naming a conference registered earlier (on the page, or by a previous file):
        what it changes, if anything. A reported conference's registration no longer changes
        (its cells must say what is registered, or be blank); its figures may: new ones amend
        the report."""
        latest = self.latest.get(conference.pk)
        if latest is not None and changed is not None:
            for key in changed[1]:
                self.error(
                    line,
                    key,
                    _(
                        "hội nghị ngày %(d)s của đơn vị “%(code)s” đã có báo cáo; đăng ký không "
                        "sửa được nữa (đã đăng ký: %(what)s). Để trống ô này hoặc ghi đúng như "
                        "đã đăng ký; chỉ số liệu còn sửa được."
                    )
                    % {
                        "d": _day(day),
                        "code": host.code,
                        "what": self.registered_text(conference, key),
                    },
                )
            return None
        report = amendment = None
        if counts is not None and latest is None:
            report = counts
        elif counts is not None and latest is not None and _figures(counts) != _figures(latest):
            # The figures the file has no column for are kept from the latest revision.
            amendment = ReportSpec(
                expected_count=counts.expected_count,
                attended_count=counts.attended_count,
                made_up_count=counts.made_up_count,
                reflections_count=counts.reflections_count,
                absence_notes=latest.absence_notes,
                minutes=latest.minutes,
            )
        return ReportRow(
            line.number,
            host,
            rule,
            day,
            existing=conference,
            registration=changed[0] if changed is not None else None,
            report=report,
            amendment=amendment,
        )

    def registered_text(self, conference: Conference, key: str) -> str:
        """What is registered for the column ``key``, as the template writes it."""
        segments = list(conference.segments.all())
        topic_segments = [s for s in segments if s.topic_id is not None]
        own = [s for s in segments if s.content_kind == ContentKind.OWN_PLAN]
        roles = dict(role_choices())
        texts = {
            "date": _day(conference.date),
            "length": str(conference.length_sessions),
            "mode": dict(mode_choices()).get(conference.mode, conference.mode),
            "venue": conference.venue,
            "presenter": ", ".join(
                f"{s.presenter_name} ({roles.get(s.presenter_role, s.presenter_role)})" for s in own
            ),
            "presenter_role": ", ".join(roles.get(s.presenter_role, "") for s in own),
            "topics": _topic_numbers(topic_segments),
            "topic_presenter": _topic_presenters(topic_segments),
        }
        return f"“{texts.get(key) or '—'}”"

    def changed_registration(
        self, line: Line, conference: Conference, day: datetime.date
    ) -> tuple[ConferenceSpec, list[str]] | None:
        """The registration as the row would have it, and the columns that change it; None
        when every registration cell is blank or says what is registered. Blank keeps."""
        before = len(self.errors)
        columns: list[str] = ["date"] if day != conference.date else []
        length = conference.length_sessions
        if line.text("length"):
            typed = self.count(line, "length", MAX_SESSIONS)
            if typed is not None and typed < 1:
                self.error(line, "length", _("thời lượng phải ít nhất 1 buổi."))
            elif typed is not None and typed != length:
                length, columns = typed, [*columns, "length"]
        mode = conference.mode
        if line.text("mode"):
            typed_mode = self.mode(line)
            if typed_mode is not None and typed_mode != mode:
                mode, columns = typed_mode, [*columns, "mode"]
        venue = conference.venue
        if line.text("venue") and line.text("venue") != venue:
            if len(line.text("venue")) > 255:
                self.error(line, "venue", _("địa điểm dài quá 255 ký tự."))
            venue, columns = line.text("venue"), [*columns, "venue"]
        segments = [_segment_spec(s) for s in conference.segments.all()]
        own = [s for s in segments if s.content_kind == ContentKind.OWN_PLAN]
        if line.text("presenter") or line.text("presenter_role"):
            typed_own = list(self.presenter(line))
            if typed_own and [(s.presenter_name, s.presenter_role) for s in own] != [
                (s.presenter_name, s.presenter_role) for s in typed_own
            ]:
                segments = _replace(segments, own, typed_own)
                columns += ["presenter"]
        topical = [s for s in segments if s.topic_order is not None]
        if line.text("topics") or line.text("topic_presenter"):
            typed_topics = list(self.topic_segments(line))
            if typed_topics and (
                sorted({s.topic_order for s in topical if s.topic_order})
                != sorted({s.topic_order for s in typed_topics if s.topic_order})
                or line.text("topic_presenter") != _topic_presenters(topical)
            ):
                segments = _replace(segments, topical, typed_topics)
                columns += ["topics"]
        if len(self.errors) > before or not columns:
            return None
        bridges = [
            BridgeSpec(
                unit=b.unit,
                expected_count=b.expected_count,
                venue=b.venue,
                host_person=b.host_person,
                attended_count=b.attended_count,
            )
            for b in conference.bridge_points.all()
        ]
        spec = ConferenceSpec(
            host=conference.host,
            date=day,
            length_sessions=length,
            mode=mode,
            venue=venue,
            start_time=conference.start_time,
            segments=tuple(segments),
            bridge_points=tuple(bridges),
        )
        return spec, columns

    def mode(self, line: Line) -> str | None:
        mode = _modes().get(header_key(line.text("mode") or "trực tiếp"))
        if mode is None:
            known = ", ".join(f"“{label}”" for _v, label in mode_choices())
            self.error(
                line,
                "mode",
                _("không có hình thức “%(m)s”; các hình thức: %(known)s.")
                % {"m": line.text("mode"), "known": known},
            )
        return mode

    def host(self, line: Line) -> tuple[Unit | None, LevelRule | None]:
        code = line.text("code")
        unit = self.units.get(code)
        if not code:
            self.error(line, "code", _("chưa có mã đơn vị."))
        elif unit is None:  # absent, or outside the uploader's scope: the same answer
            self.error(
                line,
                "code",
                _("không có đơn vị mã “%(code)s” trong cơ cấu “%(structure)s” của kế hoạch.")
                % {"code": code, "structure": self.plan.structure},
            )
        elif not self.scope.can_change(unit):  # seen, but read-only for the uploader
            self.error(
                line,
                "code",
                _("đơn vị “%(code)s” không thuộc phạm vi của bạn.") % {"code": code},
            )
        elif unit.level_id not in self.rules:
            self.error(
                line,
                "code",
                _(
                    "đơn vị “%(code)s” (%(name)s) ở cấp “%(level)s”; kế hoạch không yêu cầu "
                    "cấp này tổ chức hội nghị."
                )
                % {"code": code, "name": unit.name, "level": unit.level.name},
            )
        else:
            return unit, self.rules[unit.level_id]
        return None, None

    def date(self, line: Line) -> datetime.date | None:
        if not line.text("date"):
            self.error(line, "date", _("chưa có ngày tổ chức."))
            return None
        day, problem = parse_date(line.cells["date"])
        if problem is not None:
            self.error(line, "date", problem)
        return day

    def count(self, line: Line, key: str, maximum: int | None = None) -> int | None:
        """A whole number, bounded (10^20 is an error of its cell, never a database overflow)."""
        if not line.text(key):
            return None
        if maximum is None:
            number, problem = parse_count(line.cells[key])
        else:
            number, problem = parse_count(line.cells[key], maximum=maximum)
        if problem is not None:
            self.error(line, key, problem)
        return number

    def counts(self, line: Line) -> ReportSpec | None:
        """The report of the row, or None when the row only registers a conference."""
        if not line.filled(_COUNTS):
            return None
        before = len(self.errors)
        values = {key: self.count(line, key) for key in _COUNTS}
        for key in ("expected", "attended"):
            if not line.text(key):
                self.error(
                    line,
                    key,
                    _(
                        "chưa có số liệu; một hội nghị đã diễn ra cần cả số người phải dự và số "
                        "người dự."
                    ),
                )
        if len(self.errors) > before:
            return None
        expected, attended = values["expected"] or 0, values["attended"] or 0
        made_up, reflections = values["made_up"] or 0, values["reflections"] or 0
        if attended > expected:
            self.error(
                line,
                "attended",
                _("số người dự (%(a)s) lớn hơn số người phải dự (%(e)s).")
                % {"a": attended, "e": expected},
            )
            return None
        if attended + made_up > expected:
            self.error(
                line,
                "made_up",
                _("số người học bù (%(m)s) lớn hơn số người vắng mặt (%(absent)s).")
                % {"m": made_up, "absent": expected - attended},
            )
            return None
        return ReportSpec(
            expected_count=expected,
            attended_count=attended,
            made_up_count=made_up,
            reflections_count=reflections,
        )

    def registration(self, line: Line) -> dict[str, Any] | None:
        """The fields of a new conference (length, mode, venue, presenter of the own plan)."""
        before = len(self.errors)
        length = self.count(line, "length", MAX_SESSIONS)
        if not line.text("length"):
            self.error(line, "length", _("chưa có thời lượng (số buổi)."))
        elif length is not None and length < 1:
            self.error(line, "length", _("thời lượng phải ít nhất 1 buổi."))
        mode = self.mode(line)
        venue = line.text("venue")
        if len(venue) > 255:
            self.error(line, "venue", _("địa điểm dài quá 255 ký tự."))
        segments = self.topic_segments(line) + self.presenter(line)
        if len(self.errors) > before or length is None:
            return None
        return {
            "length_sessions": length,
            "mode": mode,
            "venue": venue,
            "segments": segments,
        }

    def topic_numbers(self, line: Line) -> list[int] | None:
        """The topics' numbers the row names, sorted; None after an error or when blank."""
        text = line.text("topics")
        if not text:
            return None
        folded = fold(text).strip(" .")
        if folded in _ALL_TOPICS:
            return list(self.topics)
        numbers, unknown = set(), []
        for word in _TOPIC_SEPARATORS.split(folded):
            if not word:
                continue
            if word.isdecimal() and int(word) in self.topics:
                numbers.add(int(word))
            else:
                unknown.append(word)
        if unknown or not numbers:
            self.error(
                line,
                "topics",
                _(
                    "không hiểu “%(found)s”: hãy ghi số thứ tự chuyên đề (kế hoạch có các chuyên "
                    "đề %(known)s), cách nhau bằng dấu phẩy, hoặc “Tất cả”."
                )
                % {"found": ", ".join(unknown) or text, "known": ", ".join(map(str, self.topics))},
            )
            return None
        return sorted(numbers)

    def topic_segments(self, line: Line) -> tuple[SegmentSpec, ...]:
        """One agenda segment per topic named, presented by the row's topic presenter."""
        numbers, name = self.topic_numbers(line), line.text("topic_presenter")
        if numbers is None:
            if name and not line.text("topics"):
                self.error(line, "topics", _("có báo cáo viên nhưng chưa ghi chuyên đề nào."))
            return ()
        if not name:
            self.error(line, "topic_presenter", _("có chuyên đề nhưng chưa có báo cáo viên."))
            return ()
        if len(name) > 150:
            self.error(line, "topic_presenter", _("họ tên dài quá 150 ký tự."))
            return ()
        host = self.units.get(line.text("code"))
        if host is None:
            return ()
        # The template does not ask the presenter's unit (the name may say it): the host stands
        # in. Topics are the Resolution's, which anyone may present, so the presenter rule holds.
        return tuple(
            SegmentSpec(
                content_kind=ContentKind.RESOLUTION,
                presenter_name=name,
                presenter_role=PresenterRole.REPORTER,
                presenter_unit=host,
                presenter_position=str(PresenterRole.REPORTER.label),
                topic_order=number,
            )
            for number in numbers
        )

    def presenter(self, line: Line) -> tuple[SegmentSpec, ...]:
        name, role_text = line.text("presenter"), line.text("presenter_role")
        if not name and not role_text:
            return ()
        if not name:
            self.error(line, "presenter", _("có chức danh nhưng chưa có họ tên người trình bày."))
            return ()
        if len(name) > 150:
            self.error(line, "presenter", _("họ tên dài quá 150 ký tự."))
        role = _roles().get(header_key(role_text))
        if not role_text:
            self.error(line, "presenter_role", _("chưa có chức danh người trình bày."))
        elif role is None:
            known = ", ".join(f"“{label}”" for _v, label in role_choices())
            self.error(
                line,
                "presenter_role",
                _("không có chức danh “%(r)s”; các chức danh: %(known)s.")
                % {"r": role_text, "known": known},
            )
        code = line.text("code")
        host = self.units.get(code)
        if role is None or host is None:
            return ()
        # The column is the presenter of the unit's own plan, by its definition a person of the
        # host unit; whether the role may present it is compliance's to judge, not an error.
        return (
            SegmentSpec(
                content_kind=ContentKind.OWN_PLAN,
                presenter_name=name,
                presenter_role=role,
                presenter_unit=host,
                presenter_position=dict(role_choices())[role],
            ),
        )


def _figures(report: ReportSpec | ConferenceReport) -> tuple[int, int, int, int]:
    return (
        report.expected_count,
        report.attended_count,
        report.made_up_count,
        report.reflections_count,
    )


def _segment_spec(segment: AgendaSegment) -> SegmentSpec:
    return SegmentSpec(
        content_kind=segment.content_kind,
        presenter_name=segment.presenter_name,
        presenter_role=segment.presenter_role,
        presenter_unit=segment.presenter_unit,
        presenter_position=segment.presenter_position,
        topic_order=segment.topic.order if segment.topic else None,
    )


def _replace(
    segments: list[SegmentSpec], old: list[SegmentSpec], new: list[SegmentSpec]
) -> list[SegmentSpec]:
    """``segments`` with those of ``old`` replaced by ``new``, where the first of them stood
    (at the end when there were none)."""
    if not old:
        return [*segments, *new]
    at = segments.index(old[0])
    kept = [s for s in segments if s not in old]
    return [*kept[:at], *new, *kept[at:]]
