"""Programme pages: the list, the programme page (its gate, its tree with progress bars, money by
field and source, plan versus baseline, the Board draft), the header form, a node's page with its
roadmap, money and indicators, the node form, moving and removing a node, and the print view.

Every object is fetched through ``tinhuy.programs.access`` (404 outside the user's sight, 403
when seen but not theirs to change); every write is an action of ``tinhuy.programs.actions``,
whose Vietnamese refusals the forms show."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhuy.bulk import CompiledRows
from tinhuy.meetings.access import drafts_for
from tinhuy.meetings.views.common import int_param
from tinhuy.org.access import CHANGE_ROLES, Scope, scope_for
from tinhuy.org.models import Person, Unit
from tinhuy.programs import access, actions, presenters, queries
from tinhuy.programs.forms import (
    BudgetLineForm,
    IndicatorForm,
    IndicatorTargetsForm,
    MilestoneDoneForm,
    MilestoneForm,
    MoveForm,
    NodeForm,
    ProgrammeDraftForm,
    ProgrammeForm,
    targets_text,
)
from tinhuy.programs.models import (
    BaselineNode,
    BudgetLine,
    FundingSource,
    Indicator,
    Milestone,
    Node,
    NodeKind,
    NodeStatus,
    Programme,
    ProgrammeState,
)

PAGE_SIZE = 50
MAX_UNIT_DEPTH = 2  # province, district, grassroots (a structure's top three levels)
_GATED = (ProgrammeState.DRAFT, ProgrammeState.SUBMITTED)
_RUNNING = (ProgrammeState.APPROVED, ProgrammeState.IN_PROGRESS)  # overdue means something
_BASELINED = (ProgrammeState.APPROVED, ProgrammeState.IN_PROGRESS, ProgrammeState.COMPLETED)


def _plan_open(programme: Programme) -> bool:
    """Its plan may still be written: a draft whose Board draft (if any) is being written or
    revised (what ``actions.lock_editable`` checks, read without a lock to show the buttons)."""
    if programme.state != ProgrammeState.DRAFT:
        return False
    draft = programme.draft
    return draft is None or draft.state in actions.DRAFT_OPEN_STATES


def _plan_adjustable(programme: Programme) -> bool:
    """Approved or running: its nodes' dates, owners, money and roadmap are adjusted with a
    reason (``actions.lock_editable(..., reason=...)``), its structure is not."""
    return programme.state in actions.ADJUSTABLE_STATES


def _seen_units(scope: Scope, keep: Iterable[int | None] = ()) -> QuerySet[Unit]:
    """Units the user may name in a form: those they see, down to the grassroots level (a cell
    leads no programme's task; a province's thousands of cells would swell every select),
    still active — and those the object already names (``keep``), so an edit keeps them."""
    today = timezone.localdate()
    active = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    units = scope.units().filter(active, depth__lte=MAX_UNIT_DEPTH)
    kept = [pk for pk in keep if pk is not None]
    if kept:
        units = units | scope.units().filter(pk__in=kept)
    return units


def _seen_people(scope: Scope) -> QuerySet[Person]:
    return Person.objects.filter(scope.q("unit__"))


def _owner_units(scope: Scope) -> QuerySet[Unit]:
    """Units whose programme the user may write: the units they may change (as in
    ``_seen_units``, down to the grassroots level and still active)."""
    today = timezone.localdate()
    active = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    return scope.units(change=True).filter(active, depth__lte=MAX_UNIT_DEPTH)


def _submitting_units(request: HttpRequest, scope: Scope) -> QuerySet[Unit]:
    """Units a user submits a Board draft for (as on the drafts page): where they hold a change
    role; for the province office, the committees and boards (the top two levels)."""
    if scope.everything:
        return Unit.objects.filter(depth__lte=1)
    return Unit.objects.filter(
        memberships__user_id=request.user.pk,  # type: ignore[misc]
        memberships__role__in=CHANGE_ROLES,
    ).distinct()


# The list ----------------------------------------------------------------------------------


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    """The programmes the user sees, with their state, owners, period, progress and money:
    a fixed number of queries whatever the number of programmes or nodes."""
    scope = scope_for(request.user)
    programmes = queries.programmes_for(scope).order_by("title", "id")
    page = Paginator(programmes, PAGE_SIZE).get_page(request.GET.get("trang"))
    ids = [p.pk for p in page.object_list]
    rollups = queries.rollups(ids)
    rows = [(p, rollups[p.pk].progress, rollups[p.pk].budget) for p in page.object_list]
    can_create = scope.everything or _owner_units(scope).exists()
    return render(
        request,
        "programs/programme_list.html",
        {"page": page, "rows": rows, "can_create": can_create},
    )


# The header form -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    owners = _owner_units(scope)
    if not owners.exists():
        raise PermissionDenied  # reads programmes, writes none (a Board member)
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None, owners=owners, seen=_seen_units(scope)
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = actions.do_create_programme(form.spec(), acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tạo “%(t)s”.") % {"t": programme.title})
            return redirect("programs_detail", programme_id=programme.pk)
    return render(request, "programs/programme_form.html", {"form": form, "programme": None})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.get_programme_for_user(request.user, programme_id)
    access.check_can_edit(request.user, programme)
    if not _plan_open(programme):
        messages.info(request, _("Chương trình đã trình hoặc đã phê duyệt; không sửa được nữa."))
        return redirect("programs_detail", programme_id=programme.pk)
    scope = scope_for(request.user)
    # The current owner stays a choice even for a focal agency's officer who cannot change it.
    owners = _owner_units(scope) | Unit.objects.filter(pk=programme.owner_unit_id)
    initial = ProgrammeForm.initial_of(programme)
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        owners=owners,
        seen=_seen_units(scope, [programme.focal_agency_id, *initial["coordinating_units"]]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_programme(programme, form.spec(), acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu “%(t)s”.") % {"t": form.cleaned_data["title"]})
            return redirect("programs_detail", programme_id=programme.pk)
    return render(request, "programs/programme_form.html", {"form": form, "programme": programme})


# The programme page --------------------------------------------------------------------------


# A programme of at most this many nodes (those the user sees) shows them all; a larger one
# shows its fields and items, and the tasks of the items opened (``?mo=``, or the fragment).
OPEN_ALL = 150
PLAN_PAGE_SIZE = 100


@dataclass
class Row:
    """A line of the tree table."""

    node: queries.TreeNode
    overdue: bool
    linked: bool  # the user may open the node's page
    closed: int = 0  # its children not shown (tasks of an item not opened)


def _rows(
    tree: queries.Tree,
    nodes: Iterable[queries.TreeNode],
    shown: set[int] | None,
    today: datetime.date | None,
    opened: set[int] | None,
) -> list[Row]:
    """The rows of ``nodes`` and their subtrees, depth first, their details read; ``opened``
    None: every node, else the fields and items, and the tasks of the nodes opened. ``today``:
    overdue tasks marked (a running programme)."""
    out: list[Row] = []
    task = NodeKind.TASK

    def walk(level: Iterable[queries.TreeNode]) -> None:
        for n in level:
            row = Row(n, False, shown is None or n.id in shown)
            out.append(row)
            if opened is None or n.id in opened:
                walk(n.children)
                continue
            below = [c for c in n.children if c.kind != task]
            row.closed = len(n.children) - len(below)
            walk(below)

    walk(nodes)
    queries.fill_details(tree, [row.node.id for row in out])  # their due dates among them
    if today is not None:
        for row in out:
            row.overdue = row.node.kind == task and row.node.is_overdue(today)
    return out


def _opened(request: HttpRequest, tree: queries.Tree) -> set[int]:
    """The nodes ``?mo=`` opens, with their ancestors (so that the path to them shows); an id
    the user does not see is ignored like one that does not exist."""
    opened: set[int] = set()
    for value in request.GET.getlist("mo"):
        node = tree.by_id.get(int_param(value) or 0)
        while node is not None and node.id not in opened:
            opened.add(node.id)
            node = tree.by_id.get(node.parent_id) if node.parent_id else None
    return opened


@dataclass
class Gap:
    """A missing piece of the gate, with the address of the form that fixes it."""

    message: str
    url: str


def _gap_url(missing: queries.Missing, programme: Programme) -> str:
    if missing.node_id is None:
        if missing.what == "focal_agency":
            return reverse("programs_edit", args=[programme.pk]) + "#id_focal_agency"
        return "#cay"
    if missing.what in ("milestone", "resources"):
        anchor = "#moc" if missing.what == "milestone" else "#kinh-phi"
        return reverse("programs_node", args=[missing.node_id]) + anchor
    return reverse("programs_node_edit", args=[missing.node_id]) + f"#id_{missing.what}"


# The co-ordinating units' names in their usual order, compiled once per process.
_coordinating_names = CompiledRows(
    lambda programme_id: (
        Programme.coordinating_units.through.objects.filter(programme_id=programme_id)
        .order_by("unit__name_sort", "unit__id")
        .values_list("unit__name")
    ),
    arity=1,
)


def _detail_context(
    request: HttpRequest, programme: Programme, draft_form: ProgrammeDraftForm | None = None
) -> dict[str, Any]:
    scope = scope_for(request.user)
    today = timezone.localdate()
    running = programme.state in _RUNNING
    can_edit = access.can_edit(request.user, programme)
    editable = can_edit and _plan_open(programme)
    whole = queries.sees_whole(scope, programme)
    shown = None if whole else queries.visible_node_ids(scope, programme)
    # The roll-up reads every node's weight and progress; titles and owners only of the rows
    # shown (a 2,000-task programme shows its fields and items, a user opens an item's tasks).
    tree = queries.tree(programme, node_ids=shown, details=False, today=today, money_by_field=whole)
    opened = None if len(tree.by_id) <= OPEN_ALL else _opened(request, tree)
    rows = _rows(tree, tree.roots, shown, today if running else None, opened)
    gaps: list[Gap] = []
    if whole and programme.state in _GATED:
        gaps = [
            Gap(m.message, _gap_url(m, programme)) for m in queries.missing_for_approval(programme)
        ]
    sees_draft = (
        programme.draft_id is not None and drafts_for(scope).filter(pk=programme.draft_id).exists()
    )
    if editable and programme.draft_id is None and draft_form is None:
        draft_form = ProgrammeDraftForm(
            submitting=_submitting_units(request, scope),
            initial={"doc_type": "KH"},
        )
    by_field: list[Any] = []  # (field, its amounts by source, its total), written out
    by_source: list[tuple[str, Decimal, str]] = []
    plan = None
    if whole:
        totals = {s: Decimal(0) for s in FundingSource.values}
        money = presenters.money
        for root, amounts in queries.budget_by_field(programme, tree):
            row = [amounts[s] for s in FundingSource.values]
            by_field.append((root, [money(a) for a in row], money(sum(row, Decimal(0)))))
            for s, amount in amounts.items():
                totals[s] += amount
        by_source = [
            (str(FundingSource(s).label), amount, money(amount)) for s, amount in totals.items()
        ]
        if programme.state in _BASELINED:
            plan = queries.plan_summary(programme)
    budget_total = presenters.money(sum((a for _s, a, _t in by_source), Decimal(0)))
    adjustments: list[queries.Adjustment] = []
    if programme.state in _BASELINED:  # changes after approval, with their reasons
        adjustments = queries.adjustments(programme, node_ids=shown)
    return {
        "programme": programme,
        "coordinating": [name for (name,) in _coordinating_names(programme.pk)],
        "progress_bar": presenters.progress_bar(tree.progress, False, ""),
        "can_edit": can_edit,
        "editable": editable,
        "whole": whole,
        "running": running,
        "tree": tree,
        "rows": rows,
        "tree_html": presenters.tree_rows(
            rows, programme_id=programme.pk, editable=editable, running=running
        ),
        "gaps": gaps,
        "gated": programme.state in _GATED,
        "sees_draft": sees_draft,
        "draft_form": draft_form,  # one posted shows its refusal whatever the state
        "sources": FundingSource.labels,
        "by_field": by_field,
        "by_source": by_source,
        "budget_total": budget_total,
        "money_table": presenters.money_table(by_field, by_source, budget_total) if whole else "",
        "budget_text": presenters.dong(tree.budget),
        "plan": plan,
        "adjustments": adjustments,
        "adjustments_cut": len(adjustments) >= queries.ADJUSTMENTS_SHOWN,
    }


@login_required
@require_GET
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.get_programme_for_user(request.user, programme_id)
    return render(request, "programs/programme_detail.html", _detail_context(request, programme))


@login_required
@require_GET
def tree_children(request: HttpRequest, programme_id: int, node_id: int) -> HttpResponse:
    """The rows of one node's children the programme page keeps closed (an htmx fragment):
    a node the user does not see answers 404, as one that does not exist."""
    programme = access.get_programme_for_user(request.user, programme_id)
    scope = scope_for(request.user)
    shown = queries.visible_node_ids(scope, programme)
    today = timezone.localdate()
    tree = queries.tree(programme, node_ids=shown, details=False, today=today)
    node = tree.by_id.get(node_id)
    if node is None:
        raise Http404("No node matches the given query.")
    children = [c for c in node.children if c.kind == NodeKind.TASK]
    running = programme.state in _RUNNING
    rows = _rows(tree, children, shown, today if running else None, opened=set())
    editable = access.can_edit(request.user, programme) and _plan_open(programme)
    html = presenters.tree_rows(rows, programme_id=programme.pk, editable=editable, running=running)
    return render(request, "programs/_tree_children.html", {"tree_html": html})


@login_required
@require_GET
def plan_vs_actual(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The plan as approved beside the plan now, node by node (100 a page): dates, money, the
    money reported spent. A reader of some branches sees their nodes and the way up to them, as
    the API gives them, without the programme-wide line."""
    programme = access.get_programme_for_user(request.user, programme_id)
    scope = scope_for(request.user)
    whole = queries.sees_whole(scope, programme)
    summary = queries.plan_summary(programme)
    page = None
    variances: list[queries.Variance] = []
    if summary is not None:
        baseline = BaselineNode.objects.filter(baseline__programme=programme).order_by(
            "node__path", "pk"
        )
        if not whole:
            visible = queries.visible_node_ids(scope, programme)
            shown = set(queries.tree(programme, node_ids=visible).by_id)
            baseline = baseline.filter(node_id__in=shown)
        page = Paginator(baseline.values(*queries.BASELINE_FIELDS), PLAN_PAGE_SIZE).get_page(
            request.GET.get("trang")
        )
        variances = queries.variances(programme, page.object_list, page=True)
    return render(
        request,
        "programs/plan_vs_actual.html",
        {
            "programme": programme,
            "summary": summary,
            "whole": whole,
            "page": page,
            "variances": variances,
        },
    )


@login_required
@require_POST
def programme_create_draft(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The Board draft that carries the programme (issued by its owner unit)."""
    programme = access.get_programme_for_user(request.user, programme_id)
    access.check_can_edit(request.user, programme)
    scope = scope_for(request.user)
    form = ProgrammeDraftForm(request.POST, submitting=_submitting_units(request, scope))
    if form.is_valid():
        try:
            draft = actions.do_create_programme_draft(
                programme,
                submitting_unit=form.cleaned_data["submitting_unit"],
                issuing_unit=programme.owner_unit,
                doc_type=form.cleaned_data["doc_type"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã tạo dự thảo “%(t)s” trình Ban Thường vụ.") % {"t": draft.title}
            )
            return redirect("programs_detail", programme_id=programme.pk)
    return render(
        request,
        "programs/programme_detail.html",
        _detail_context(request, programme, draft_form=form),
        status=400,
    )


# Nodes ---------------------------------------------------------------------------------------


def _node_form(request: HttpRequest, node: Node | None = None, **kwargs: Any) -> NodeForm:
    """The node form (``adjusting``: an approved plan's, with its reason). The units and the
    person an existing node names stay choices even when the user does not see them (its page
    shows them already): a form without them would drop them unnoticed; the action refuses a
    unit or person out of the editor's sight instead ("Không tìm thấy đơn vị này.")."""
    scope = scope_for(request.user)
    units, people = _seen_units(scope), _seen_people(scope)
    if node is not None:
        named = [node.lead_unit_id, *kwargs["initial"]["coordinating_units"]]
        units = units | Unit.objects.filter(pk__in=[pk for pk in named if pk is not None])
        if node.responsible_id is not None:
            people = people | Person.objects.filter(pk=node.responsible_id)
    return NodeForm(
        request.POST if request.method == "POST" else None, units=units, people=people, **kwargs
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    """A field, item or task added under ``?cha=<parent id>`` (none: a field), of the kind
    ``?loai=``."""
    programme = access.get_programme_for_user(request.user, programme_id)
    access.check_can_edit(request.user, programme)
    parent_id = int_param(request.GET.get("cha"))
    parent = None
    if parent_id is not None:
        parent = Node.objects.filter(programme=programme, pk=parent_id).first()
        if parent is None:
            raise Http404("No node matches the given query.")
    if not _plan_open(programme):
        messages.info(request, _("Chương trình đã trình hoặc đã phê duyệt; không sửa được nữa."))
        return redirect("programs_detail", programme_id=programme.pk)
    kind = request.GET.get("loai", "")
    if kind not in NodeKind.values:
        kind = NodeKind.FIELD if parent is None else NodeKind.TASK
    form = _node_form(request, initial={"kind": kind, "weight": "1"})
    if request.method == "POST" and form.is_valid():
        try:
            node = actions.do_add_node(
                programme, form.spec(), parent=parent, acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã thêm “%(t)s”.") % {"t": node.title})
            if node.kind == NodeKind.TASK:
                return redirect("programs_node", node_id=node.pk)
            return redirect(reverse("programs_detail", args=[programme.pk]) + f"#n{node.pk}")
    return render(
        request,
        "programs/node_form.html",
        {"form": form, "programme": programme, "parent": parent, "node": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_edit(request: HttpRequest, node_id: int) -> HttpResponse:
    """A node's form; once the programme is approved or running, an adjustment: the kind
    stays, a reason is required."""
    node = access.get_node_for_user(request.user, node_id)
    programme = node.programme
    access.check_can_edit(request.user, programme)
    adjusting = _plan_adjustable(programme)
    if not (_plan_open(programme) or adjusting):
        messages.info(request, _("Chương trình đã trình hoặc đã phê duyệt; không sửa được nữa."))
        return redirect("programs_node", node_id=node.pk)
    form = _node_form(request, node, initial=NodeForm.initial_of(node), adjusting=adjusting)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_node(
                node, form.spec(), acting_user=request.user, reason=form.given_reason
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu “%(t)s”.") % {"t": form.cleaned_data["title"]})
            return redirect("programs_node", node_id=node.pk)
    return render(
        request,
        "programs/node_form.html",
        {
            "form": form,
            "programme": programme,
            "parent": node.parent,
            "node": node,
            "adjusting": adjusting,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_move(request: HttpRequest, node_id: int) -> HttpResponse:
    node = access.get_node_for_user(request.user, node_id)
    programme = node.programme
    access.check_can_edit(request.user, programme)
    if not _plan_open(programme):
        messages.info(request, _("Chương trình đã trình hoặc đã phê duyệt; không sửa được nữa."))
        return redirect("programs_node", node_id=node.pk)
    parents = (
        Node.objects.filter(programme=programme)
        .exclude(path__startswith=node.path)
        .exclude(kind=NodeKind.TASK if node.kind != NodeKind.TASK else "")
        .order_by("path")
    )
    form = MoveForm(
        request.POST if request.method == "POST" else None,
        parents=parents,
        initial={"parent": node.parent_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_move_node(node, form.cleaned_data["parent"], acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã chuyển “%(t)s”.") % {"t": node.title})
            return redirect(reverse("programs_detail", args=[programme.pk]) + f"#n{node.pk}")
    return render(
        request, "programs/node_move.html", {"form": form, "node": node, "programme": programme}
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_remove(request: HttpRequest, node_id: int) -> HttpResponse:
    """A confirmation page; posted, the node and its subtree are removed."""
    node = access.get_node_for_user(request.user, node_id)
    programme = node.programme
    access.check_can_edit(request.user, programme)
    if not _plan_open(programme):
        messages.info(request, _("Chương trình đã trình hoặc đã phê duyệt; không sửa được nữa."))
        return redirect("programs_node", node_id=node.pk)
    below = Node.objects.filter(programme=programme, path__startswith=node.path).exclude(pk=node.pk)
    error = None
    if request.method == "POST":
        try:
            actions.do_remove_node(node, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã xóa “%(t)s”.") % {"t": node.title})
            return redirect("programs_detail", programme_id=programme.pk)
    return render(
        request,
        "programs/node_remove.html",
        {"node": node, "programme": programme, "below": below.count(), "error": error},
        status=400 if error else 200,
    )


# A node's page -------------------------------------------------------------------------------


@dataclass
class NodeForms:
    milestone: MilestoneForm | None = None
    budget: BudgetLineForm | None = None
    indicator: IndicatorForm | None = None


def _history(node: Node) -> list[dict[str, Any]]:
    """Who led or co-ordinated it before a hand-over: "Trước ngày … do … chủ trì"."""
    return [
        {
            "before": h.hand_over.effective_on,
            "unit": h.hand_over.from_unit.name,
            "role": h.role,
            "reason": h.hand_over.reason,
        }
        for h in sorted(node.hand_overs.all(), key=lambda h: h.hand_over.effective_on)
    ]


def _node_page(
    request: HttpRequest, node: Node, forms: NodeForms | None = None, status: int = 200
) -> HttpResponse:
    detail = queries.node_detail(node.pk).get()
    detail.programme = node.programme  # already read with its owner and focal agency
    programme = node.programme
    can_edit = access.can_edit(request.user, programme)
    plan_open = can_edit and _plan_open(programme)
    adjusting = can_edit and _plan_adjustable(programme)
    editable = (plan_open or adjusting) and node.kind == NodeKind.TASK
    forms = forms or NodeForms()
    if editable:
        forms.milestone = forms.milestone or MilestoneForm(adjusting=adjusting)
        forms.budget = forms.budget or BudgetLineForm(adjusting=adjusting)
    if plan_open and node.kind == NodeKind.TASK:  # indicators: the structure, a draft's only
        forms.indicator = forms.indicator or IndicatorForm()
    running = programme.state in _RUNNING
    can_mark = running and access.can_report(request.user, node)
    lines = list(detail.budget_lines.all())
    indicators = list(detail.indicators.all())
    published = queries.published_values(indicators)
    return render(
        request,
        "programs/node_detail.html",
        {
            "node": detail,
            "indicators": [
                (i, published.get(i.pk), targets_text(i.targets.all())) for i in indicators
            ],
            "programme": programme,
            "can_edit": can_edit,
            "plan_open": plan_open,
            "adjusting": adjusting,
            "editable": editable,
            "forms": forms,
            "can_mark": can_mark,
            "done_form": MilestoneDoneForm(initial={"done_on": timezone.localdate()}),
            "lines": lines,
            "budget_total": sum((b.amount for b in lines), Decimal(0)),
            "history": _history(detail),
            "overdue": running
            and detail.kind == NodeKind.TASK
            and detail.due_on is not None
            and detail.due_on < timezone.localdate()
            and detail.status not in (NodeStatus.DONE, NodeStatus.CANCELLED),
        },
        status=status,
    )


@login_required
@require_GET
def node_detail(request: HttpRequest, node_id: int) -> HttpResponse:
    node = access.get_node_for_user(request.user, node_id)
    return _node_page(request, node)


def _child(model: type[Any], node: Node, request: HttpRequest) -> Any:
    """A milestone, budget line or indicator of this node, named by ``id`` in the form."""
    pk = int_param(request.POST.get("id"))
    found = model.objects.filter(node=node, pk=pk).first() if pk else None
    if found is None:
        raise Http404("No such line of this task.")
    found.node = node
    return found


def _errors_of(form: Any) -> list[str]:
    """A form's errors as sentences naming their field (for a message above the page)."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out += [f"{label}: {e}" if label else str(e) for e in errors]
    return out


@login_required
@require_POST
def node_change(request: HttpRequest, node_id: int) -> HttpResponse:
    """The forms of a task's page: add, change or remove a milestone, add or remove a budget
    line, add or remove an indicator, change its targets (the plan's writers, while it is
    written; once approved, milestones, money and targets only, each with a reason); mark a
    milestone done (who reports on the task, once the programme runs)."""
    node = access.get_node_for_user(request.user, node_id)
    what = request.POST.get("thao-tac", "")
    forms = NodeForms()
    if what == "moc-xong":
        access.check_can_report(request.user, node)
        milestone = _child(Milestone, node, request)
        done = MilestoneDoneForm(request.POST)
        try:
            if not done.is_valid():
                raise ValidationError(list(done.errors["done_on"]))
            actions.do_mark_milestone_done(
                milestone, done_on=done.cleaned_data["done_on"], acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi nhận mốc “%(m)s” hoàn thành.") % {"m": milestone})
        return redirect(reverse("programs_node", args=[node.pk]) + "#moc")
    access.check_can_edit(request.user, node.programme)
    adjusting = _plan_adjustable(node.programme)
    reason = request.POST.get("reason", "")  # the removals' and a milestone change's
    try:
        if what == "moc":
            forms.milestone = MilestoneForm(request.POST, adjusting=adjusting)
            if not forms.milestone.is_valid():
                return _node_page(request, node, forms, status=400)
            actions.do_add_milestone(node, acting_user=request.user, **forms.milestone.cleaned_data)
            anchor = "#moc"
        elif what == "sua-moc":
            milestone = _child(Milestone, node, request)
            change = MilestoneForm(request.POST, adjusting=adjusting)
            if not change.is_valid():
                raise ValidationError(_errors_of(change))
            actions.do_update_milestone(
                milestone,
                title=change.cleaned_data["title"],
                due_on=change.cleaned_data["due_on"],
                reason=change.given_reason,
                acting_user=request.user,
            )
            anchor = "#moc"
        elif what == "kinh-phi":
            forms.budget = BudgetLineForm(request.POST, adjusting=adjusting)
            if not forms.budget.is_valid():
                return _node_page(request, node, forms, status=400)
            actions.do_add_budget_line(node, acting_user=request.user, **forms.budget.cleaned_data)
            anchor = "#kinh-phi"
        elif what == "chi-tieu":
            forms.indicator = IndicatorForm(request.POST)
            if not forms.indicator.is_valid():
                return _node_page(request, node, forms, status=400)
            actions.do_add_indicator(node, forms.indicator.spec(), acting_user=request.user)
            anchor = "#chi-tieu"
        elif what == "xoa-moc":
            actions.do_remove_milestone(
                _child(Milestone, node, request), acting_user=request.user, reason=reason
            )
            anchor = "#moc"
        elif what == "xoa-kinh-phi":
            actions.do_remove_budget_line(
                _child(BudgetLine, node, request), acting_user=request.user, reason=reason
            )
            anchor = "#kinh-phi"
        elif what == "muc-tieu":
            indicator = _child(Indicator, node, request)
            targets = IndicatorTargetsForm(request.POST, adjusting=adjusting)
            if not targets.is_valid():
                raise ValidationError(_errors_of(targets))
            actions.do_set_indicator_targets(
                indicator,
                targets.cleaned_data["targets"],
                reason=targets.given_reason,
                acting_user=request.user,
            )
            anchor = "#chi-tieu"
        elif what == "xoa-chi-tieu":
            actions.do_remove_indicator(_child(Indicator, node, request), acting_user=request.user)
            anchor = "#chi-tieu"
        else:  # a form of another version of the page, or none: say so, change nothing
            raise BadRequest(
                _(
                    "Yêu cầu không rõ thao tác nào (thiếu hoặc sai “thao-tac”); hãy tải lại "
                    "trang nhiệm vụ rồi gửi lại biểu mẫu."
                )
            )
    except ValidationError as exc:
        form = forms.milestone or forms.budget or forms.indicator
        if form is None:
            messages.error(request, " ".join(exc.messages))
            return redirect("programs_node", node_id=node.pk)
        form.add_error(None, exc)
        return _node_page(request, node, forms, status=400)
    messages.success(request, _("Đã lưu."))
    return redirect(reverse("programs_node", args=[node.pk]) + anchor)


# The print view ------------------------------------------------------------------------------


@login_required
@require_GET
def programme_print(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme on A4: header, the tree with owners, dates and money, each task's roadmap
    and indicators (the branches the user sees)."""
    programme = access.get_programme_for_user(request.user, programme_id)
    scope = scope_for(request.user)
    shown = queries.visible_node_ids(scope, programme)
    tree = queries.tree(programme, node_ids=shown)
    ids = set(tree.by_id)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in Milestone.objects.filter(node__programme=programme).order_by("due_on", "id"):
        if m.node_id in ids:
            milestones[m.node_id].append(m)
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    for i in Indicator.objects.filter(node__programme=programme).prefetch_related("targets"):
        if i.node_id in ids:
            indicators[i.node_id].append(i)
    rows = [(n, milestones.get(n.id, []), indicators.get(n.id, [])) for n in tree.flat()]
    return render(
        request,
        "programs/print.html",
        {
            "programme": programme,
            "coordinating": list(programme.coordinating_units.all()),
            "tree": tree,
            "rows": rows,
            "whole": shown is None,
            "today": timezone.localdate(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("", programme_list, name="programs_list"),
    path("moi/", programme_create, name="programs_create"),
    path("<int:programme_id>/", programme_detail, name="programs_detail"),
    path("<int:programme_id>/sua/", programme_edit, name="programs_edit"),
    path("<int:programme_id>/du-thao/", programme_create_draft, name="programs_create_draft"),
    path("<int:programme_id>/them-muc/", node_create, name="programs_node_create"),
    path("<int:programme_id>/in/", programme_print, name="programs_print"),
    path("<int:programme_id>/cay/<int:node_id>/", tree_children, name="programs_tree_children"),
    path("<int:programme_id>/so-sanh-ke-hoach/", plan_vs_actual, name="programs_plan_vs_actual"),
    path("muc/<int:node_id>/", node_detail, name="programs_node"),
    path("muc/<int:node_id>/sua/", node_edit, name="programs_node_edit"),
    path("muc/<int:node_id>/thay-doi/", node_change, name="programs_node_change"),
    path("muc/<int:node_id>/chuyen/", node_move, name="programs_node_move"),
    path("muc/<int:node_id>/xoa/", node_remove, name="programs_node_remove"),
]
