"""The progress dashboard, the unit table (.xlsx) and the summary report (.docx).

All three read one ``queries.plan_progress`` call over the chosen unit's subtree as of the chosen
date; this module only filters, sorts and lays out what it returns, so a figure on the page, in
the spreadsheet and in the Party report is the same figure.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tinhuy.documents import docx
from tinhuy.documents.xlsx import XLSX_CONTENT_TYPE, Column, table_xlsx
from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.study import queries
from tinhuy.study.access import get_plan_for_user, progress_root_for
from tinhuy.study.compliance import STATUS_LABELS, Status, UnitProgress
from tinhuy.study.models import Plan
from tinhuy.study.queries import PlanProgress, UnitRow
from tinhuy.study.views.plans import plan_summary

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

    from tinhuy.org.access import AnyUser

# ---------------------------------------------------------------------------------------------
UNIT_TABLE_PAGE = 100  # rows of the unit table per page

# Filters and sorting of the unit table (query parameters in Vietnamese, like ``don_vi``).


def _needs_attention(p: UnitProgress) -> bool:
    return p.status in (Status.HELD_LATE, Status.MISSING) or p.non_compliant


STATUS_FILTERS: dict[str, tuple[StrOrPromise, Callable[[UnitProgress], bool]]] = {
    "can-chu-y": (
        gettext_lazy("Cần chú ý: muộn, quá hạn hoặc chưa đạt"),
        _needs_attention,
    ),
    "muon": (gettext_lazy("Tổ chức muộn"), lambda p: p.status == Status.HELD_LATE),
    "qua-han": (gettext_lazy("Chưa tổ chức, đã quá hạn"), lambda p: p.status == Status.MISSING),
    "khong-dat": (gettext_lazy("Chưa đạt yêu cầu"), lambda p: p.non_compliant),
    "chua-bao-cao": (
        gettext_lazy("Đã tổ chức, chưa báo cáo"),
        lambda p: p.held_on is not None and not p.reported,
    ),
    "dung-han": (gettext_lazy("Đúng hạn"), lambda p: p.status == Status.HELD_ON_TIME),
    "da-len-lich": (gettext_lazy("Đã lên lịch"), lambda p: p.status == Status.SCHEDULED),
    "chua-dang-ky": (gettext_lazy("Chưa đăng ký"), lambda p: p.status == Status.NOT_SCHEDULED),
}

# Worst first, so that sorting by status puts the units to chase at the top.
STATUS_ORDER = {
    Status.MISSING: 0,
    Status.HELD_LATE: 1,
    Status.NOT_SCHEDULED: 2,
    Status.SCHEDULED: 3,
    Status.HELD_ON_TIME: 4,
}
STATUS_BADGES = {
    Status.MISSING: "text-bg-danger",
    Status.HELD_LATE: "text-bg-warning",
    Status.NOT_SCHEDULED: "text-bg-secondary",
    Status.SCHEDULED: "text-bg-info",
    Status.HELD_ON_TIME: "text-bg-success",
}

SORT_KEYS: dict[str, Callable[[UnitRow], Any]] = {
    "ten": lambda r: r.name_sort,
    "trang-thai": lambda r: STATUS_ORDER[r.progress.status],
    "ty-le": lambda r: r.progress.people.coverage,
    "ngay": lambda r: r.progress.held_on,
}
SORT_CHOICES = [
    ("", gettext_lazy("Theo cấp, tên đơn vị")),
    ("ten", gettext_lazy("Tên đơn vị (A → Z)")),
    ("-ten", gettext_lazy("Tên đơn vị (Z → A)")),
    ("trang-thai", gettext_lazy("Trạng thái (cần chú ý trước)")),
    ("-trang-thai", gettext_lazy("Trạng thái (đúng hạn trước)")),
    ("ty-le", gettext_lazy("Tỷ lệ học tập (thấp trước)")),
    ("-ty-le", gettext_lazy("Tỷ lệ học tập (cao trước)")),
    ("ngay", gettext_lazy("Ngày tổ chức (sớm trước)")),
    ("-ngay", gettext_lazy("Ngày tổ chức (muộn trước)")),
]


def filter_rows(
    rows: list[UnitRow], *, status: str = "", level_id: int | None = None
) -> list[UnitRow]:
    """The rows of one status filter (``STATUS_FILTERS``) and one level, in their order."""
    test = STATUS_FILTERS[status][1] if status else None
    return [
        row
        for row in rows
        if (level_id is None or row.progress.level_id == level_id)
        and (test is None or test(row.progress))
    ]


def sort_rows(rows: list[UnitRow], sort: str) -> list[UnitRow]:
    """Sorted by ``SORT_KEYS`` ("-" for descending); rows without a value (no date, nobody
    expected) come last either way; ties keep the level-then-name order."""
    if not sort:
        return rows
    key = SORT_KEYS[sort.removeprefix("-")]
    with_value = [row for row in rows if key(row) is not None]
    without = [row for row in rows if key(row) is None]
    return sorted(with_value, key=key, reverse=sort.startswith("-")) + without


class DashboardForm(forms.Form):
    """The query parameters of the dashboard and its exports; all optional."""

    don_vi = forms.IntegerField(required=False, min_value=1)
    ngay = forms.DateField(
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": gettext_lazy("Ngày phải có dạng dd/mm/yyyy, ví dụ 15/01/2021.")},
    )
    trang_thai = forms.ChoiceField(
        required=False,
        choices=[
            ("", gettext_lazy("Mọi trạng thái")),
            *((slug, label) for slug, (label, _test) in STATUS_FILTERS.items()),
        ],
    )
    cap = forms.IntegerField(required=False, min_value=1)
    sap_xep = forms.ChoiceField(required=False, choices=SORT_CHOICES)


# ---------------------------------------------------------------------------------------------
# What the templates, the spreadsheet and the report show: plain fields of the progress.


@dataclass(frozen=True)
class LevelLine:
    """The totals of one level, as a table row."""

    level_id: int
    name: str
    deadline: datetime.date
    units: int
    on_time: int
    late: int
    missing: int
    scheduled: int
    not_scheduled: int
    reported: int
    non_compliant: int
    expected: int
    learned: int  # attended + made up
    coverage: float | None  # a ratio; None when nobody is expected

    @property
    def held(self) -> int:
        return self.on_time + self.late

    @property
    def coverage_pct(self) -> float | None:
        return None if self.coverage is None else self.coverage * 100


@dataclass(frozen=True)
class Line:
    """One row of the unit table."""

    unit_id: int
    name: str
    code: str
    level: str  # the level of the conference, as the totals count it
    participant: bool  # takes part in a conference hosted above (a bridge point)
    deadline: datetime.date
    status: Status
    status_label: str
    badge: str
    held_on: datetime.date | None
    reported: bool
    expected: int
    attended: int
    made_up: int
    coverage: float | None
    problems: list[str]

    @property
    def learned(self) -> int:
        return self.attended + self.made_up

    @property
    def coverage_pct(self) -> float | None:
        return None if self.coverage is None else self.coverage * 100

    @property
    def role(self) -> str:
        return _("Dự (điểm cầu)") if self.participant else _("Tổ chức")


def level_lines(progress: PlanProgress) -> list[LevelLine]:
    lines = []
    for rule_row in progress.rules:
        t = rule_row.totals
        lines.append(
            LevelLine(
                level_id=rule_row.rule.level_id,
                name=rule_row.rule.level.name,
                deadline=rule_row.rule.deadline,
                units=t.units,
                on_time=t.by_status[Status.HELD_ON_TIME],
                late=t.by_status[Status.HELD_LATE],
                missing=t.by_status[Status.MISSING],
                scheduled=t.by_status[Status.SCHEDULED],
                not_scheduled=t.by_status[Status.NOT_SCHEDULED],
                reported=t.reported,
                non_compliant=t.non_compliant,
                expected=t.people.expected,
                learned=t.people.attended + t.people.made_up,
                coverage=t.people.coverage,
            )
        )
    return lines


def unit_lines(progress: PlanProgress, rows: list[UnitRow]) -> list[Line]:
    level_names = {r.rule.level_id: r.rule.level.name for r in progress.rules}
    return [
        Line(
            unit_id=row.unit_id,
            name=row.name,
            code=row.code,
            level=level_names[row.progress.level_id],
            participant=row.progress.role == "participant",
            deadline=row.deadline,
            status=row.progress.status,
            status_label=_(STATUS_LABELS[row.progress.status]),
            badge=STATUS_BADGES[row.progress.status],
            held_on=row.progress.held_on,
            reported=row.progress.reported,
            expected=row.progress.people.expected,
            attended=row.progress.people.attended,
            made_up=row.progress.people.made_up,
            coverage=row.progress.people.coverage,
            problems=row.progress.problems,
        )
        for row in rows
    ]


def _short_name(name: str) -> str:
    """ "Đảng bộ huyện Nghi Lộc" → "Huyện Nghi Lộc": chart labels need the room."""
    short = name.removeprefix("Đảng bộ ")
    return short[:1].upper() + short[1:]


def coverage_chart(progress: PlanProgress, url_for: Callable[[int], str]) -> dict[str, Any] | None:
    """Coverage (%) of each child unit per level, from the children's roll-ups; None when no
    child has anyone expected."""
    children = [
        (child, totals)
        for child, totals in progress.children
        if any(t.people.expected for t in totals)
    ]
    if not children:
        return None
    datasets = []
    for index, rule_row in enumerate(progress.rules):
        ratios = [totals[index].people.coverage for _child, totals in children]
        if any(ratio is not None for ratio in ratios):  # no empty level in the legend
            datasets.append(
                {
                    "label": rule_row.rule.level.name,
                    "data": [None if r is None else round(r * 100, 1) for r in ratios],
                }
            )
    return {
        "labels": [_short_name(child.name) for child, _totals in children],
        "urls": [url_for(child.pk) for child, _totals in children],
        "datasets": datasets,
        "axis": _("Tỷ lệ cán bộ, đảng viên đã học tập (%)"),
    }


def timeline_chart(progress: PlanProgress) -> dict[str, Any]:
    """Per level: the cumulative number of expected units whose conference was held, by date,
    with the level's window and deadline."""
    levels = []
    for rule_row in progress.rules:
        rule = rule_row.rule
        held = Counter(
            row.progress.held_on
            for row in progress.rows
            if row.progress.level_id == rule.level_id and row.progress.held_on is not None
        )
        points, total = [], 0
        for day in sorted(held):
            total += held[day]
            points.append([day.isoformat(), total])
        levels.append(
            {
                "label": rule.level.name,
                "start": rule.window_start.isoformat(),
                "deadline": rule.deadline.isoformat(),
                "expected": rule_row.totals.units,
                "points": points,
            }
        )
    return {
        "as_of": progress.as_of.isoformat(),
        "levels": levels,
        "text": {
            "axis": _("% đơn vị đã tổ chức hoặc dự"),
            "deadline": _("Hạn"),
            "units": _("đơn vị"),
        },
    }


def unit_choices(user: AnyUser, progress: PlanProgress) -> list[tuple[int, str]]:
    """The unit selector: the top of the user's scope and the units right below it, the chosen
    unit and its children, at the levels the plan covers (one query)."""
    scope = scope_for(user)
    root = progress.root
    levels = {r.rule.level_id for r in progress.rules} | {
        level.pk for r in progress.rules for level in r.rule.participant_levels.all()
    }
    if scope.everything:
        near_top = Q(depth__lte=1)
    else:
        near_top = Q(path__in=scope.view_paths) | Q(parent__path__in=scope.view_paths)
    units = list(
        scope.units(
            Unit.objects.filter(structure_id=progress.plan.structure_id, level_id__in=levels)
        )
        .filter(near_top | Q(pk=root.pk) | Q(parent_id=root.pk))
        .order_by("depth", "name_sort")
        .values_list("id", "name", "depth")
    )
    top = min((depth for _id, _name, depth in units), default=0)
    return [(pk, "\u2003" * (depth - top) + name) for pk, name, depth in units]


# ---------------------------------------------------------------------------------------------
# Loading: plan, parameters, root unit, then one plan_progress call.


@dataclass
class Dashboard:
    plan: Plan
    progress: PlanProgress
    status: str
    level_id: int | None
    sort: str

    @property
    def root(self) -> Unit:
        return self.progress.root

    @property
    def as_of(self) -> datetime.date:
        return self.progress.as_of

    def rows(self) -> list[UnitRow]:
        """The unit table's rows: the filters, then the sort."""
        rows = filter_rows(self.progress.rows, status=self.status, level_id=self.level_id)
        return sort_rows(rows, self.sort)


def _load(request: HttpRequest, plan_id: int) -> tuple[Plan, DashboardForm, Dashboard | None]:
    """404 for a plan or unit outside the user's scope; no dashboard when a parameter is bad."""
    plan = get_plan_for_user(request.user, plan_id)
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return plan, form, None
    data = form.cleaned_data
    root = progress_root_for(request.user, plan, data["don_vi"])
    as_of = data["ngay"] or timezone.localdate()
    progress = queries.plan_progress(plan, root, scope_for(request.user), as_of, with_children=True)
    return plan, form, Dashboard(plan, progress, data["trang_thai"], data["cap"], data["sap_xep"])


def _load_for_export(request: HttpRequest, plan_id: int) -> Dashboard:
    _plan, form, dash = _load(request, plan_id)
    if dash is None:
        raise BadRequest("; ".join(str(e) for errors in form.errors.values() for e in errors))
    return dash


# ---------------------------------------------------------------------------------------------
# Pages.


@login_required
@require_GET
def dashboard(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The dashboard; an htmx request from the unit table's filters gets the table alone."""
    plan, form, dash = _load(request, plan_id)
    if dash is None:
        context = {"plan": plan, "form": form, "dash": None}
        return render(request, "study/dashboard.html", context, status=400)
    # A page of the table at a time: a province has thousands of expected units, a phone
    # shows a hundred well; the .xlsx has them all.
    page = Paginator(dash.rows(), UNIT_TABLE_PAGE).get_page(request.GET.get("trang"))
    context = {
        "plan": plan,
        "form": form,
        "dash": dash,
        "page": page,
        "lines": unit_lines(dash.progress, list(page.object_list)),
        "status_filters": [(slug, label) for slug, (label, _test) in STATUS_FILTERS.items()],
        "sort_choices": SORT_CHOICES,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "unit-table":
        response = render(request, "study/_unit_table.html", context)
    else:
        dashboard_url = reverse("study_dashboard", args=[plan.pk])
        as_of = f"{dash.as_of:%d/%m/%Y}"
        context |= {
            "levels": level_lines(dash.progress),
            "unit_choices": unit_choices(request.user, dash.progress),
            "coverage_chart": coverage_chart(
                dash.progress, lambda pk: f"{dashboard_url}?don_vi={pk}&ngay={as_of}"
            ),
            "timeline_chart": timeline_chart(dash.progress),
        }
        response = render(request, "study/dashboard.html", context)
    # The same URL answers a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


# ---------------------------------------------------------------------------------------------
# Exports.


def unit_table_columns() -> list[Column]:
    return [
        Column(_("Đơn vị"), 48),
        Column(_("Mã"), 12),
        Column(_("Hội nghị cấp"), 24),
        Column(_("Vai trò"), 14),
        Column(_("Hạn hoàn thành"), 14, "date"),
        Column(_("Trạng thái"), 24),
        Column(_("Ngày tổ chức"), 14, "date"),
        Column(_("Đã báo cáo"), 11),
        Column(_("Số người phải dự"), 12, "int"),
        Column(_("Số người dự"), 12, "int"),
        Column(_("Số người học bù"), 12, "int"),
        Column(_("Tỷ lệ học tập"), 12, "percent"),
        Column(_("Tồn tại"), 60),
    ]


def unit_table_rows(lines: list[Line]) -> list[list[object]]:
    return [
        [
            line.name,
            line.code,
            line.level,
            line.role,
            line.deadline,
            line.status_label,
            line.held_on,
            _("Có") if line.reported else _("Chưa"),
            line.expected,
            line.attended,
            line.made_up,
            line.coverage,
            " ".join(line.problems),
        ]
        for line in lines
    ]


@login_required
@require_GET
def unit_table_xlsx(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The unit table as on the page (same filters and order) as an .xlsx."""
    dash = _load_for_export(request, plan_id)
    lines = unit_lines(dash.progress, dash.rows())
    content = table_xlsx(unit_table_columns(), unit_table_rows(lines), sheet_title=_("Tiến độ"))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"tien-do-ke-hoach-{dash.plan.pk}-don-vi-{dash.root.pk}-{dash.as_of:%d-%m-%Y}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The summary report. Its text is Vietnamese whatever the site's language (an official document).


def _totals_table(levels: list[LevelLine]) -> tuple[list[str], list[list[str]]]:
    """Indicators down, levels across: reads well on a portrait page."""
    n = docx.vn_number
    indicators: list[tuple[str, Callable[[LevelLine], str]]] = [
        ("Hạn hoàn thành", lambda x: docx.date_text(x.deadline)),
        ("Số đơn vị phải thực hiện", lambda x: n(x.units)),
        ("Đã tổ chức đúng hạn", lambda x: n(x.on_time)),
        ("Tổ chức muộn", lambda x: n(x.late)),
        ("Chưa tổ chức, đã quá hạn", lambda x: n(x.missing)),
        ("Đã lên lịch", lambda x: n(x.scheduled)),
        ("Chưa đăng ký", lambda x: n(x.not_scheduled)),
        ("Đã báo cáo kết quả", lambda x: n(x.reported)),
        ("Chưa đạt yêu cầu", lambda x: n(x.non_compliant)),
        ("Số người phải học tập", lambda x: n(x.expected)),
        ("Số người đã học tập (kể cả học bù)", lambda x: n(x.learned)),
        ("Tỷ lệ", lambda x: docx.vn_percent(x.coverage)),
    ]
    header = ["Nội dung", *(level.name for level in levels)]
    return header, [[label, *(value(level) for level in levels)] for label, value in indicators]


def _level_sentence(level: LevelLine) -> str:
    n = docx.vn_number
    return (
        f"- {level.name} (hạn {docx.date_text(level.deadline)}): {n(level.held)}/{n(level.units)}"
        f" đơn vị đã tổ chức hoặc dự hội nghị ({n(level.on_time)} đúng hạn, {n(level.late)} "
        f"muộn), {n(level.missing)} đơn vị chưa tổ chức đã quá hạn, {n(level.reported)} đơn vị "
        f"đã báo cáo kết quả, {n(level.non_compliant)} đơn vị chưa đạt yêu cầu; "
        f"{n(level.learned)}/{n(level.expected)} người đã học tập, kể cả học bù "
        f"(đạt {docx.vn_percent(level.coverage)})."
    )


def report_document(dash: Dashboard) -> bytes:
    """ "Báo cáo kết quả học tập, quán triệt …" for the chosen unit's subtree, as of the date."""
    plan, root, as_of = dash.plan, dash.root, dash.as_of
    parent, issuer = root.parent, plan.issuing_unit
    body = docx.issuing_body(root.name, parent.name if parent else None)
    issuer_parent = issuer.parent
    plan_body = docx.issuing_body(issuer.name, issuer_parent.name if issuer_parent else None)
    # The province's report is dated at the plan's place; a district's at its own.
    is_top = root.pk == issuer.pk or parent is None
    place = plan.place if is_top or not body.place else body.place
    document = docx.PartyDocument(
        body=body,
        number=docx.number_line("", document_symbol="BC", body=body),
        place_date=docx.place_date_line(place, as_of),
        document_type="Báo cáo",
        summary=f"kết quả học tập, quán triệt {plan.source_document}",
    )
    if plan.is_sample:
        document.paragraph(
            "Ghi chú: mọi số liệu trong báo cáo này là dữ liệu minh họa của phần mềm, không phải "
            "số liệu thật.",
            italic=True,
        )
    reference = (
        f"Kế hoạch số {plan.number} ngày {docx.date_text(plan.issued_on)}"
        if plan.number
        else "Kế hoạch"
    )
    document.paragraph(
        f"Thực hiện {reference} của Ban Thường vụ {plan_body.committee} về {plan_summary(plan)}, "
        f"Ban Thường vụ {body.committee} báo cáo kết quả học tập, quán triệt trong {root.name} "
        f"(số liệu đến hết ngày {docx.date_text(as_of)}) như sau:"
    )
    levels = level_lines(dash.progress)
    document.heading("I. KẾT QUẢ CHUNG")
    for level in levels:
        document.paragraph(_level_sentence(level))
    header, rows = _totals_table(levels)
    other = (docx.PARTY_STYLE.text_width_mm - 62) / max(len(levels), 1)
    document.table(
        header,
        rows,
        widths_mm=[62] + [other] * len(levels),
        right_aligned=range(1, len(header)),
    )
    document.heading("II. CÁC ĐƠN VỊ TỔ CHỨC MUỘN, CHƯA TỔ CHỨC HOẶC CHƯA ĐẠT YÊU CẦU")
    attention = unit_lines(
        dash.progress, filter_rows(dash.progress.rows, status="can-chu-y", level_id=None)
    )
    if attention:
        document.table(
            ["TT", "Đơn vị", "Hội nghị", "Hạn", "Tình hình", "Tồn tại"],
            [
                [
                    str(index),
                    line.name,
                    f"{line.level}{' (dự tại điểm cầu)' if line.participant else ''}",
                    docx.date_text(line.deadline),
                    line.status_label
                    + (f", ngày {docx.date_text(line.held_on)}" if line.held_on else ""),
                    " ".join(line.problems),
                ]
                for index, line in enumerate(attention, start=1)
            ],
            widths_mm=[9, 38, 26, 23, 28, 36],
        )
    else:
        document.paragraph("Không có đơn vị nào tổ chức muộn, chưa tổ chức hoặc chưa đạt yêu cầu.")
    document.paragraph(
        f"Trên đây là báo cáo kết quả học tập, quán triệt {plan.source_document} trong "
        f"{root.name} đến hết ngày {docx.date_text(as_of)}."
    )
    return document.close(
        signature=docx.Signature(),
        recipients=docx.recipient_lines(docx.upward_recipients(body, as_of), body),
    )


@login_required
@require_GET
def report_docx(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The summary report as a Party-format .docx, for the same unit and date as the page."""
    # Status labels and problems are worded as the document needs them: in Vietnamese.
    with translation.override("vi"):
        dash = _load_for_export(request, plan_id)
        content = report_document(dash)
    response = HttpResponse(content, content_type=docx.DOCX_CONTENT_TYPE)
    filename = f"bao-cao-ke-hoach-{dash.plan.pk}-don-vi-{dash.root.pk}-{dash.as_of:%d-%m-%Y}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns: list[URLPattern] = [
    path("<int:plan_id>/tien-do/", dashboard, name="study_dashboard"),
    path("<int:plan_id>/tien-do/bang.xlsx", unit_table_xlsx, name="study_unit_table_xlsx"),
    path("<int:plan_id>/tien-do/bao-cao.docx", report_docx, name="study_report_docx"),
]
