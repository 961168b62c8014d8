"""Programme pages: progress — a programme's reporting cycles (opening and locking one), a
cycle's table of tasks and their reports, a task's report (with its documents), the timeline
(Gantt) and the overdue and due-soon lists across the programmes a user sees."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhuy.documents.forms import AttachmentForm, attachment_type
from tinhuy.documents.numbers import format_number, page_locale
from tinhuy.documents.responses import download
from tinhuy.meetings.views.common import int_param
from tinhuy.org.access import scope_for
from tinhuy.org.models import Person, Unit
from tinhuy.programs import access, actions, cycles, gantt, queries
from tinhuy.programs.models import (
    Frequency,
    Milestone,
    Node,
    NodeKind,
    ProgressReport,
    ReportAttachment,
    ReportingCycle,
)
from tinhuy.programs.progress_forms import OpenCycleForm, ReportForm


def money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return _("%(n)s đồng") % {"n": format_number(value, 0, locale=page_locale())}


# --- Cycles ---------------------------------------------------------------------------------


def _cycles_page(
    request: HttpRequest, programme: Any, form: OpenCycleForm | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    scope = scope_for(request.user)
    all_cycles = cycles.cycles_of(programme)
    tasks = cycles.leaf_tasks([programme.pk], queries.visible_node_ids(scope, programme))
    summaries = cycles.summarise(all_cycles, tasks, cycles.reports_of(all_cycles), today)
    editor = access.can_edit(request.user, programme)
    running = programme.state in ("approved", "in_progress")
    if editor and running and form is None:
        frequency = request.GET.get("ky") or (
            all_cycles[0].frequency if all_cycles else Frequency.QUARTERLY
        )
        if frequency not in Frequency.values:
            frequency = Frequency.QUARTERLY
        start, end, due = cycles.propose_next(
            programme, frequency, today, all_cycles[0] if all_cycles else None
        )
        form = OpenCycleForm(
            initial={
                "frequency": frequency,
                "period_start": start,
                "period_end": end,
                "due_on": due,
            }
        )
    return render(
        request,
        "programs/cycle_list.html",
        {
            "programme": programme,
            "summaries": summaries,
            "form": form if editor and running else None,
            "editor": editor,
            "running": running,
            "frequencies": Frequency.choices,
        },
        status=status,
    )


@login_required
@require_GET
def cycle_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    """A programme's cycles, latest first, with how many tasks reported of those expected and
    how many are late; for its editors, the form that opens the next one."""
    programme = access.get_programme_for_user(request.user, programme_id)
    return _cycles_page(request, programme)


@login_required
@require_POST
def cycle_open(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.get_programme_for_user(request.user, programme_id)
    access.check_can_edit(request.user, programme)
    form = OpenCycleForm(request.POST)
    if form.is_valid():
        try:
            cycle = actions.do_open_cycle(programme, **form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã mở kỳ báo cáo %(c)s.") % {"c": str(cycle)})
            return redirect("programs_cycle", cycle_id=cycle.pk)
    return _cycles_page(request, programme, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_close(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Lock a cycle, after a page that says what locking means."""
    cycle = access.get_cycle_for_user(request.user, cycle_id)
    access.check_can_edit(request.user, cycle.programme)
    if request.method == "POST":
        try:
            actions.do_close_cycle(cycle, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã khóa sổ kỳ báo cáo %(c)s.") % {"c": str(cycle)})
        return redirect("programs_cycle", cycle_id=cycle.pk)
    today = timezone.localdate()
    tasks = cycles.leaf_tasks([cycle.programme_id])
    (summary,) = cycles.summarise([cycle], tasks, cycles.reports_of([cycle]), today)
    return render(
        request,
        "programs/cycle_close.html",
        {"cycle": cycle, "programme": cycle.programme, "summary": summary},
    )


@login_required
@require_GET
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The cycle's tasks (those the user sees), each with its report or "chưa báo cáo", the
    late ones flagged."""
    cycle = access.get_cycle_for_user(request.user, cycle_id)
    programme = cycle.programme
    scope = scope_for(request.user)
    today = timezone.localdate()
    tasks = cycles.leaf_tasks([programme.pk], queries.visible_node_ids(scope, programme))
    (summary,) = cycles.summarise([cycle], tasks, cycles.reports_of([cycle]), today, with_rows=True)
    # Which rows the user may report on: their units' tasks, or all for the programme's editors.
    editor = access.can_edit(request.user, programme)
    reportable: set[int] | None = None
    if not editor:
        lead_ids = {row.task.lead_unit_id for row in summary.rows if row.task.lead_unit_id}
        changeable = set(
            scope.units(Unit.objects.filter(pk__in=lead_ids), change=True).values_list(
                "pk", flat=True
            )
        )
        reportable = {r.task.id for r in summary.rows if r.task.lead_unit_id in changeable}
    return render(
        request,
        "programs/cycle_detail.html",
        {
            "cycle": cycle,
            "programme": programme,
            "summary": summary,
            "rows": [
                (row, reportable is None or row.task.id in reportable) for row in summary.rows
            ],
            "editor": editor,
            "today": today,
        },
    )


# --- Reports --------------------------------------------------------------------------------


def _task_of(request: HttpRequest, cycle: ReportingCycle, node_id: int) -> Node:
    node = access.get_node_for_user(request.user, node_id)
    if node.programme_id != cycle.programme_id or node.kind != NodeKind.TASK:
        raise Http404("No task matches the given query.")
    return node


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, cycle_id: int, node_id: int) -> HttpResponse:
    """A task's report for a cycle: the form for its lead unit's office (or the programme's
    editors) while the cycle is open; read-only once it is locked."""
    cycle = access.get_cycle_for_user(request.user, cycle_id)
    node = _task_of(request, cycle, node_id)
    access.check_can_report(request.user, node)
    existing = (
        ProgressReport.objects.filter(cycle=cycle, node=node)
        .select_related("submitted_by", "unit")
        .prefetch_related("values", "attachments")
        .first()
    )
    indicators = list(node.indicators.all())
    if request.method == "POST" and cycle.is_closed:
        messages.error(
            request,
            _("Kỳ báo cáo %(c)s đã khóa sổ; không gửi hoặc sửa báo cáo được.") % {"c": str(cycle)},
        )
        return _report_page(request, cycle, node, existing, indicators, None, status=400)
    form = None
    if not cycle.is_closed:
        if request.method == "POST":
            form = ReportForm(request.POST, indicators=indicators)
            if form.is_valid():
                try:
                    actions.do_report(node, cycle, form.spec(), acting_user=request.user)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("Đã gửi báo cáo “%(t)s”.") % {"t": str(node)})
                    return redirect("programs_report", cycle_id=cycle.pk, node_id=node.pk)
            return _report_page(request, cycle, node, existing, indicators, form, status=400)
        form = ReportForm(initial=_initial(node, existing), indicators=indicators)
    return _report_page(request, cycle, node, existing, indicators, form)


def _initial(node: Node, existing: ProgressReport | None) -> dict[str, Any]:
    if existing is None:
        return {"status": node.status, "progress": node.progress}
    initial: dict[str, Any] = {
        "status": existing.status,
        "progress": existing.progress,
        "narrative": existing.narrative,
        "spent": format_number(existing.spent, 0) if existing.spent is not None else "",
    }
    for value in existing.values.all():
        initial[f"value_{value.indicator_id}"] = value.value.normalize()
    return initial


def _report_page(
    request: HttpRequest,
    cycle: ReportingCycle,
    node: Node,
    existing: ProgressReport | None,
    indicators: list[Any],
    form: ReportForm | None,
    *,
    attach: AttachmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    values = {v.indicator_id: v.value for v in existing.values.all()} if existing else {}
    return render(
        request,
        "programs/report_form.html",
        {
            "cycle": cycle,
            "programme": cycle.programme,
            "node": node,
            "report": existing,
            "late": (
                existing.is_late if existing is not None else timezone.localdate() > cycle.due_on
            ),
            "spent": money(existing.spent) if existing else "",
            "indicator_values": [
                (i, format_number(values[i.pk], locale=page_locale()) if i.pk in values else "")
                for i in indicators
            ],
            "form": form,
            "attach": (
                attach
                if attach is not None
                else (AttachmentForm() if existing is not None and not cycle.is_closed else None)
            ),
        },
        status=status,
    )


@login_required
@require_POST
def report_attach(request: HttpRequest, cycle_id: int, node_id: int) -> HttpResponse:
    """Attach a document to a task's report (sent first) while its cycle is open."""
    cycle = access.get_cycle_for_user(request.user, cycle_id)
    node = _task_of(request, cycle, node_id)
    access.check_can_report(request.user, node)
    existing = ProgressReport.objects.filter(cycle=cycle, node=node).first()
    indicators = list(node.indicators.all())
    if existing is None:
        messages.error(request, _("Hãy gửi báo cáo trước khi đính kèm tài liệu."))
        return redirect("programs_report", cycle_id=cycle.pk, node_id=node.pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        name = str(upload.name or "")
        try:
            actions.do_attach_to_report(
                existing,
                name=name,
                content=upload.read(),
                content_type=attachment_type(name) or "application/octet-stream",
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã đính kèm “%(n)s”.") % {"n": name})
            return redirect("programs_report", cycle_id=cycle.pk, node_id=node.pk)
    report_form = (
        ReportForm(initial=_initial(node, existing), indicators=indicators)
        if not cycle.is_closed
        else None
    )
    return _report_page(
        request, cycle, node, existing, indicators, report_form, attach=form, status=400
    )


@login_required
@require_GET
def report_attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A report's document, for whoever sees the task it reports on (404 otherwise)."""
    attachment = ReportAttachment.objects.select_related("report").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No attachment matches the given query.")
    access.get_node_for_user(request.user, attachment.report.node_id)
    with attachment.file.open("rb") as handle:
        content = handle.read()
    return download(content, attachment.name, attachment.content_type)


# --- Timeline -------------------------------------------------------------------------------


@login_required
@require_GET
def gantt_chart(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme's timeline as SVG: plan bars, baseline bars, milestones, today."""
    programme = access.get_programme_for_user(request.user, programme_id)
    node_ids = queries.visible_node_ids(scope_for(request.user), programme)
    result = queries.tree(programme, node_ids=node_ids)
    chart = gantt.build(
        result,
        gantt.milestones_of(programme, result.by_id),
        gantt.baseline_of(programme),
        timezone.localdate(),
    )
    return render(
        request,
        "programs/gantt.html",
        {
            "programme": programme,
            "svg": gantt.render(chart) if chart else "",
            "has_baseline": hasattr(programme, "baseline"),
        },
    )


# --- Overdue and due soon -------------------------------------------------------------------

DUE_PAGE_SIZE = 50  # rows per list and page; each list pages on its own (``?trang-qua-han=``)
TASKS, MILESTONES = "nhiem-vu", "moc"  # the page's two tabs (``?xem=``)


@dataclass
class DueList:
    key: str  # its anchor and the name of its page parameter, "trang-<key>"
    title: str
    overdue: bool
    total: int
    page: Page[Any] | None = None
    previous_url: str = ""  # this list's other pages, the rest of the address kept
    next_url: str = ""


class _Known:
    """A list of a known length for ``Paginator`` (its count is already read): a page of it is
    the ids of that page, sorted and sliced on the narrow rows, then read with what the list
    shows (sorting 90,000 rows is cheaper without their titles and names)."""

    def __init__(self, ids: QuerySet[Any], rows: QuerySet[Any], total: int) -> None:
        self.ids, self.rows, self.total = ids, rows, total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            raise TypeError("A page of the list, not one row.")
        return list(self.rows.filter(pk__in=self.ids.values("pk")[index]))


def _page(
    request: HttpRequest, key: str, ids: QuerySet[Any], rows: QuerySet[Any], total: int
) -> Page[Any]:
    known: Any = _Known(ids, rows, total)  # what Paginator reads of a list: count, slices
    paginator: Paginator[Any] = Paginator(known, DUE_PAGE_SIZE)
    return paginator.get_page(request.GET.get(f"trang-{key}"))


def _page_url(request: HttpRequest, key: str, number: int) -> str:
    query = request.GET.copy()
    query[f"trang-{key}"] = str(number)
    return f"?{query.urlencode()}#{key}"


def _filter_choices(scope: Any) -> tuple[list[Unit], list[Person]]:
    """The lead units (in the user's scope) and the people responsible for the open tasks the
    user sees: what the page's selects offer (two queries, each a look-up by index per unit or
    person — a DISTINCT over 100,000 open tasks sorted them all)."""
    tasks = queries.open_tasks(scope).order_by()
    units = list(
        scope.units(Unit.objects.filter(Exists(tasks.filter(lead_unit=OuterRef("pk")))))
        .only("id", "name", "path")
        .order_by("name_sort", "id")
    )
    people = list(
        Person.objects.filter(Exists(tasks.filter(responsible=OuterRef("pk"))))
        .only("id", "full_name")
        .order_by("name_sort", "id")
    )
    return units, people


def _counts(rows: QuerySet[Any], today: datetime.date) -> tuple[int, int]:
    """Overdue and due-soon rows, one COUNT over both."""
    soon = today + datetime.timedelta(days=queries.DUE_SOON_DAYS)
    counts = rows.aggregate(
        late=Count("pk", filter=Q(due_on__lt=today)),
        coming=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
    )
    return counts["late"], counts["coming"]


def _milestones(scope: Any) -> QuerySet[Milestone]:
    return queries.open_milestones(scope).filter(
        node__status__in=("not_started", "on_track", "behind")
    )


def due_lists(
    request: HttpRequest,
    scope: Any,
    today: datetime.date,
    *,
    tab: str = TASKS,
    unit: Unit | None = None,
    person: Person | None = None,
) -> list[DueList]:
    """The tab's two lists, overdue and due within 30 days, filtered by lead unit (its subtree)
    and responsible person, a page of each: the tasks' counts come from ``choices``, a list
    with rows reads its page (one query); the counts are one query."""
    soon = today + datetime.timedelta(days=queries.DUE_SOON_DAYS)
    lists: list[tuple[DueList, QuerySet[Any]]]
    if tab == TASKS:
        task_filter = Q()
        if unit is not None:
            task_filter &= Q(lead_unit__path__startswith=unit.path)
        if person is not None:
            task_filter &= Q(responsible=person)
        overdue, coming = _counts(queries.open_tasks(scope).filter(task_filter), today)
        lists = [
            (
                DueList("qua-han", _("Nhiệm vụ quá hạn"), True, overdue),
                queries.overdue_tasks(scope, today).filter(task_filter),
            ),
            (
                DueList("sap-den-han", _("Nhiệm vụ sắp đến hạn"), False, coming),
                queries.due_soon_tasks(scope, today).filter(task_filter),
            ),
        ]
    else:
        mark_filter = Q()
        if unit is not None:
            mark_filter &= Q(node__lead_unit__path__startswith=unit.path)
        if person is not None:
            mark_filter &= Q(node__responsible=person)
        marks = _milestones(scope).filter(mark_filter)
        late, coming = _counts(marks, today)
        lists = [
            (
                DueList("moc-qua-han", _("Mốc tiến độ quá hạn"), True, late),
                marks.filter(due_on__lt=today),
            ),
            (
                DueList("moc-sap-den-han", _("Mốc tiến độ sắp đến hạn"), False, coming),
                marks.filter(due_on__gte=today, due_on__lte=soon),
            ),
        ]
    out = []
    for due, rows in lists:
        if due.total:
            ids = rows.order_by("due_on", "id")
            due.page = page = _page(request, due.key, ids, rows, due.total)
            if page.has_previous():
                due.previous_url = _page_url(request, due.key, page.previous_page_number())
            if page.has_next():
                due.next_url = _page_url(request, due.key, page.next_page_number())
        out.append(due)
    return out


@login_required
@require_GET
def due_list(request: HttpRequest) -> HttpResponse:
    """Overdue and due-soon tasks (and, on the other tab, milestones) across the programmes
    the user sees, 50 a page per list."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    units, people = _filter_choices(scope)
    unit = person = None
    unit_id = int_param(request.GET.get("don-vi"))
    if unit_id is not None:
        unit = next((u for u in units if u.pk == unit_id), None)
        if unit is None:
            raise Http404("No unit matches the given query.")
    person_id = int_param(request.GET.get("nguoi"))
    if person_id is not None:
        person = next((p for p in people if p.pk == person_id), None)
        if person is None:
            raise Http404("No person matches the given query.")
    tab = MILESTONES if request.GET.get("xem") == MILESTONES else TASKS
    lists = due_lists(request, scope, today, tab=tab, unit=unit, person=person)
    return render(
        request,
        "programs/due_list.html",
        {
            "lists": lists,
            "tab": tab,
            "units": units,
            "people": people,
            "unit": unit,
            "person": person,
            "today": today,
            "days": queries.DUE_SOON_DAYS,
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:programme_id>/ky-bao-cao/", cycle_list, name="programs_cycles"),
    path("<int:programme_id>/ky-bao-cao/mo/", cycle_open, name="programs_cycle_open"),
    path("ky-bao-cao/<int:cycle_id>/", cycle_detail, name="programs_cycle"),
    path("ky-bao-cao/<int:cycle_id>/khoa-so/", cycle_close, name="programs_cycle_close"),
    path("ky-bao-cao/<int:cycle_id>/nhiem-vu/<int:node_id>/", report, name="programs_report"),
    path(
        "ky-bao-cao/<int:cycle_id>/nhiem-vu/<int:node_id>/dinh-kem/",
        report_attach,
        name="programs_report_attach",
    ),
    path(
        "bao-cao/tai-lieu/<int:attachment_id>/",
        report_attachment,
        name="programs_report_attachment",
    ),
    path("<int:programme_id>/tien-do/", gantt_chart, name="programs_gantt"),
    path("viec-den-han/", due_list, name="programs_due"),
]
