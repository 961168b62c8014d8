"""Programme endpoints: programmes, their tree and roll-up, tasks, reports, the completeness
gate (``missing_for_approval``), plan versus baseline, hand-over and delegations.

Reads go through ``tinhuy.programs.access`` and ``tinhuy.programs.queries`` (outside what the
caller sees is 404, in the same words as an id that does not exist; seen but not theirs to do is
403); writes are actions of ``tinhuy.programs.actions``. The API checks the shape of the input,
resolves the ids a body names (an id the caller does not see reads as unknown, in the same
words, 422) and turns an action's refusal into a 422 problem document with its Vietnamese
message. A user who sees a programme only through the branches their units lead gets those
branches (and the gate's and plan-versus-actual rows of those branches) only. Every status an
operation can answer is in the OpenAPI document.
"""

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from tinhuy.apikit import (
    MAX_ID,
    PAGINATION_PARAMS,
    Invalid,
    Pagination,
    problems,
    refused,
    reject_unknown_params,
    unprocessable,
)
from tinhuy.org.access import Scope, scope_for
from tinhuy.org.models import Person, Unit
from tinhuy.programs import access, actions, queries
from tinhuy.programs.models import (
    BudgetLine,
    Delegation,
    HandOver,
    Milestone,
    Node,
    Programme,
    ProgressReport,
)
from tinhuy.programs.schemas import (
    BudgetLineIn,
    BudgetLineOut,
    CycleOut,
    DelegationFilters,
    DelegationIn,
    DelegationOut,
    DelegationPatch,
    GateOut,
    HandOverIn,
    HandOverOut,
    MilestoneIn,
    MilestoneOut,
    NodeIn,
    NodeOut,
    NodePatch,
    PlanVsActualOut,
    ProgrammeDetailOut,
    ProgrammeFilters,
    ProgrammeIn,
    ProgrammeOut,
    ProgressReportIn,
    ProgressReportOut,
    TreeOut,
)

router = Router(tags=["Chương trình, đề án"])

_DIGITS = re.compile(r"[0-9]+")


def _loc(*parts: str | int) -> tuple[str | int, ...]:
    return ("body", "payload", *parts)


def _unit(scope: Scope, unit_id: int, where: str, loc: tuple[str | int, ...]) -> Unit:
    """A unit the caller sees, or ``Invalid`` naming the field and the id only."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not scope.can_view(unit):
        raise Invalid(
            _("%(where)s: không có đơn vị mã số %(id)s.") % {"where": where, "id": unit_id}, loc
        )
    return unit


def _units(scope: Scope, ids: Sequence[int], field: str) -> list[Unit]:
    found = {u.pk: u for u in Unit.objects.filter(pk__in=set(ids))}
    units = []
    for i, unit_id in enumerate(dict.fromkeys(ids)):
        unit = found.get(unit_id)
        if unit is None or not scope.can_view(unit):
            raise Invalid(
                _("%(where)s: không có đơn vị mã số %(id)s.")
                % {"where": f"{field}[{i}]", "id": unit_id},
                _loc(field, i),
            )
        units.append(unit)
    return units


def _person(scope: Scope, person_id: int, where: str, loc: tuple[str | int, ...]) -> Person:
    person = Person.objects.select_related("unit").filter(pk=person_id).first()
    if person is None or not scope.can_view(person.unit):
        raise Invalid(
            _("%(where)s: không có người mã số %(id)s.") % {"where": where, "id": person_id}, loc
        )
    return person


def _money(value: str, label: str) -> Decimal:
    """Whole đồng written as digits only: the action's own sentence for a negative, fractional
    or non-numeric sum; grouped digits ("1.500.000") are refused too, being ambiguous in a
    machine's input."""
    amount = actions.parse_money(value, label)
    if not _DIGITS.fullmatch(value):
        raise ValidationError(
            _("%(what)s ghi bằng chữ số liền nhau, không dấu phân cách (ví dụ 2500000000).")
            % {"what": label}
        )
    return amount


class _Page:
    """A queryset that ``paginate`` slices; the slice taken is completed by ``complete`` (one
    query or two for the whole page, never one per row)."""

    def __init__(self, queryset: QuerySet[Any], complete: Callable[[list[Any]], None]) -> None:
        self.queryset, self.complete = queryset, complete

    def all(self) -> "_Page":
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice) -> list[Any]:
        rows = list(self.queryset[window])
        self.complete(rows)
        return rows


# Programmes ---------------------------------------------------------------------------------


def _with_rollups(programmes: list[Programme]) -> None:
    rollups = queries.rollups([p.pk for p in programmes])
    for programme in programmes:
        programme.rollup = rollups[programme.pk]  # type: ignore[attr-defined]


def _programme_detail(programme: Programme) -> Programme:
    fresh = (
        Programme.objects.select_related("owner_unit", "focal_agency")
        .prefetch_related("coordinating_units")
        .get(pk=programme.pk)
    )
    _with_rollups([fresh])
    fresh.by_source = queries.budget_by_source(fresh)  # type: ignore[attr-defined]
    return fresh


@router.get(
    "/programmes/",
    response=list[ProgrammeOut],
    operation_id="list_programmes",
    summary="Các chương trình, đề án người dùng xem được, với tiến độ chung và tổng kinh phí",
    openapi_extra=problems(),
)
@paginate(Pagination)
def list_programmes(request: HttpRequest, filters: Query[ProgrammeFilters]) -> Any:
    reject_unknown_params(request, ("state", *PAGINATION_PARAMS))
    programmes = queries.programmes_for(scope_for(request.user)).order_by("title", "id")
    if filters.state is not None:
        programmes = programmes.filter(state=filters.state.value)
    return _Page(programmes, _with_rollups)


@router.post(
    "/programmes/",
    response={201: ProgrammeDetailOut},
    operation_id="create_programme",
    summary="Tạo một chương trình, đề án (bản đang xây dựng) của một đơn vị người dùng thay đổi",
    openapi_extra=problems(403),
)
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Any:
    reject_unknown_params(request, ())
    scope = scope_for(request.user)
    try:
        owner = _unit(
            scope, payload.owner_unit_id, _("Đơn vị chủ trì (owner_unit_id)"), _loc("owner_unit_id")
        )
        if not scope.can_change(owner):
            raise PermissionDenied
        focal = (
            _unit(
                scope,
                payload.focal_agency_id,
                _("Cơ quan đầu mối (focal_agency_id)"),
                _loc("focal_agency_id"),
            )
            if payload.focal_agency_id is not None
            else None
        )
        spec = actions.ProgrammeSpec(
            title=payload.title,
            owner_unit=owner,
            kind=payload.kind.value,
            source_decision=payload.source_decision,
            goals=payload.goals,
            period_start=payload.period_start,
            period_end=payload.period_end,
            focal_agency=focal,
            coordinating_units=_units(
                scope, payload.coordinating_unit_ids, "coordinating_unit_ids"
            ),
        )
        programme = actions.do_create_programme(spec, acting_user=request.user)
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        return refused(request, exc)
    return Status(201, _programme_detail(programme))


@router.get(
    "/programmes/{programme_id}",
    response=ProgrammeDetailOut,
    operation_id="get_programme",
    summary="Một chương trình: văn bản nguồn, mục tiêu, thời gian, đầu mối, tiến độ, kinh phí",
    openapi_extra=problems(404),
)
def get_programme(request: HttpRequest, programme_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    return _programme_detail(access.get_programme_for_user(request.user, programme_id))


def _visible(request: HttpRequest, programme: Programme) -> set[int] | None:
    return queries.visible_node_ids(scope_for(request.user), programme)


@router.get(
    "/programmes/{programme_id}/tree",
    response=TreeOut,
    operation_id="get_programme_tree",
    summary="Cây lĩnh vực, nội dung, nhiệm vụ với tiến độ tổng hợp, kinh phí, chủ trì, thời hạn",
    openapi_extra=problems(404),
)
def get_tree(request: HttpRequest, programme_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    programme = access.get_programme_for_user(request.user, programme_id)
    visible = _visible(request, programme)
    result = queries.tree(programme, node_ids=visible)
    return {
        "programme_id": programme.pk,
        "progress": float(result.progress),
        "budget": str(result.budget),
        "whole": visible is None,
        "nodes": result.flat(),
    }


def _shown(request: HttpRequest, programme: Programme) -> set[int] | None:
    """The nodes a branch-only reader is shown (their branches and the way up to them)."""
    visible = _visible(request, programme)
    if visible is None:
        return None
    return set(queries.tree(programme, node_ids=visible).by_id)


@router.get(
    "/programmes/{programme_id}/missing-for-approval",
    response=GateOut,
    operation_id="get_programme_missing_for_approval",
    summary="Còn thiếu gì để trình, phê duyệt (như trang chương trình liệt kê)",
    openapi_extra=problems(404),
)
def missing_for_approval(
    request: HttpRequest, programme_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    programme = access.get_programme_for_user(request.user, programme_id)
    missing = queries.missing_for_approval(programme)
    shown = _shown(request, programme)
    if shown is not None:
        missing = [m for m in missing if m.node_id is None or m.node_id in shown]
    return {"programme_id": programme.pk, "complete": not missing, "missing": missing}


@router.get(
    "/programmes/{programme_id}/plan-vs-actual",
    response=PlanVsActualOut,
    operation_id="get_programme_plan_vs_actual",
    summary="Kế hoạch gốc (khi phê duyệt) so với hiện nay: thời hạn, kinh phí, đã giải ngân",
    openapi_extra=problems(404),
)
def plan_vs_actual(request: HttpRequest, programme_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    programme = access.get_programme_for_user(request.user, programme_id)
    rows = queries.plan_vs_actual(programme)
    shown = _shown(request, programme)
    if shown is not None:
        rows = [r for r in rows if r.node_id in shown]
    baseline = getattr(programme, "baseline", None)
    return {
        "programme_id": programme.pk,
        "baseline_taken_at": baseline.taken_at if baseline is not None else None,
        "rows": rows,
    }


# Nodes --------------------------------------------------------------------------------------


def _node_detail(node_id: int) -> Node:
    return queries.node_detail(node_id).get()


def _node_for_edit(request: HttpRequest, node_id: int) -> Node:
    node = access.get_node_for_user(request.user, node_id)
    access.check_can_edit(request.user, node.programme)
    return node


def _resolve_node_refs(
    scope: Scope, values: dict[str, Any]
) -> tuple[Unit | None, Person | None, list[Unit] | None]:
    lead = (
        _unit(
            scope, values["lead_unit_id"], _("Đơn vị chủ trì (lead_unit_id)"), _loc("lead_unit_id")
        )
        if values.get("lead_unit_id") is not None
        else None
    )
    responsible = (
        _person(
            scope,
            values["responsible_id"],
            _("Người phụ trách (responsible_id)"),
            _loc("responsible_id"),
        )
        if values.get("responsible_id") is not None
        else None
    )
    coordinating = (
        _units(scope, values["coordinating_unit_ids"], "coordinating_unit_ids")
        if values.get("coordinating_unit_ids") is not None
        else None
    )
    return lead, responsible, coordinating


@router.post(
    "/programmes/{programme_id}/nodes",
    response={201: NodeOut},
    operation_id="add_programme_node",
    summary="Thêm lĩnh vực, nội dung hoặc nhiệm vụ vào chương trình đang xây dựng",
    openapi_extra=problems(403, 404),
)
def add_node(
    request: HttpRequest, payload: NodeIn, programme_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    programme = access.get_programme_for_user(request.user, programme_id)
    access.check_can_edit(request.user, programme)
    scope = scope_for(request.user)
    try:
        parent = None
        if payload.parent_id is not None:
            parent = Node.objects.filter(pk=payload.parent_id, programme=programme).first()
            if parent is None:
                raise Invalid(
                    _("Mục cha (parent_id): không có mục mã số %(id)s trong chương trình này.")
                    % {"id": payload.parent_id},
                    _loc("parent_id"),
                )
        lead, responsible, coordinating = _resolve_node_refs(scope, payload.dict())
        spec = actions.NodeSpec(
            kind=payload.kind.value,
            title=payload.title,
            code=payload.code,
            description=payload.description,
            is_focus=payload.is_focus,
            is_key=payload.is_key,
            is_breakthrough=payload.is_breakthrough,
            lead_unit=lead,
            coordinating_units=coordinating or [],
            responsible=responsible,
            start_on=payload.start_on,
            due_on=payload.due_on,
            staff=payload.staff,
            weight=payload.weight,
        )
        node = actions.do_add_node(programme, spec, parent=parent, acting_user=request.user)
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        return refused(request, exc)
    return Status(201, _node_detail(node.pk))


@router.get(
    "/programme-nodes/{node_id}",
    response=NodeOut,
    operation_id="get_programme_node",
    summary="Một mục: chủ trì, phối hợp, người phụ trách, thời hạn, mốc, kinh phí, chỉ tiêu",
    openapi_extra=problems(404),
)
def get_node(request: HttpRequest, node_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    return _node_detail(access.get_node_for_user(request.user, node_id).pk)


@router.patch(
    "/programme-nodes/{node_id}",
    response=NodeOut,
    operation_id="update_programme_node",
    summary=(
        "Sửa một mục (chỉ các trường gửi lên); sau phê duyệt là điều chỉnh kế hoạch, cần lý do"
    ),
    openapi_extra=problems(403, 404),
)
def update_node(
    request: HttpRequest, payload: NodePatch, node_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    node = _node_for_edit(request, node_id)
    current = _node_detail(node.pk)
    sent = payload.dict(exclude_unset=True)
    try:
        lead, responsible, coordinating = _resolve_node_refs(scope_for(request.user), sent)

        def value(name: str) -> Any:
            return sent[name] if name in sent else getattr(current, name)

        spec = actions.NodeSpec(
            kind=str(value("kind") or current.kind),
            title=value("title") or "",
            code=value("code") or "",
            description=value("description") or "",
            is_focus=bool(value("is_focus")),
            is_key=bool(value("is_key")),
            is_breakthrough=bool(value("is_breakthrough")),
            lead_unit=lead if "lead_unit_id" in sent else current.lead_unit,
            coordinating_units=(
                coordinating if coordinating is not None else list(current.coordinating_units.all())
            ),
            responsible=responsible if "responsible_id" in sent else current.responsible,
            start_on=value("start_on"),
            due_on=value("due_on"),
            staff=value("staff"),
            weight=value("weight") or current.weight,
        )
        actions.do_update_node(
            current, spec, acting_user=request.user, reason=sent.get("reason") or ""
        )
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        return refused(request, exc)
    return _node_detail(node.pk)


@router.post(
    "/programme-nodes/{node_id}/milestones",
    response={201: MilestoneOut},
    operation_id="add_programme_milestone",
    summary="Thêm một mốc tiến độ (lộ trình) vào nhiệm vụ, trong thời gian của nhiệm vụ",
    openapi_extra=problems(403, 404),
)
def add_milestone(
    request: HttpRequest, payload: MilestoneIn, node_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    node = _node_for_edit(request, node_id)
    try:
        milestone = actions.do_add_milestone(
            node,
            title=payload.title,
            due_on=payload.due_on,
            reason=payload.reason,
            acting_user=request.user,
        )
    except ValidationError as exc:
        return refused(request, exc)
    return Status(201, Milestone.objects.get(pk=milestone.pk))


@router.post(
    "/programme-nodes/{node_id}/budget-lines",
    response={201: BudgetLineOut},
    operation_id="add_programme_budget_line",
    summary="Thêm một dòng kinh phí theo nguồn vốn (đồng, ghi bằng chữ số) vào nhiệm vụ",
    openapi_extra=problems(403, 404),
)
def add_budget_line(
    request: HttpRequest, payload: BudgetLineIn, node_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    node = _node_for_edit(request, node_id)
    try:
        amount = _money(payload.amount, _("Kinh phí (amount)"))
        line = actions.do_add_budget_line(
            node,
            source=payload.source.value,
            amount=amount,
            year=payload.year,
            note=payload.note,
            reason=payload.reason,
            acting_user=request.user,
        )
    except ValidationError as exc:
        return refused(request, exc)
    return Status(201, BudgetLine.objects.get(pk=line.pk))


# Cycles and reports -------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/cycles",
    response=list[CycleOut],
    operation_id="list_programme_cycles",
    summary="Các kỳ báo cáo của chương trình: thời gian, hạn, đã khóa sổ chưa, số báo cáo",
    openapi_extra=problems(404),
)
@paginate(Pagination)
def list_cycles(request: HttpRequest, programme_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, PAGINATION_PARAMS)
    programme = access.get_programme_for_user(request.user, programme_id)
    return (
        programme.cycles.annotate(report_count=Count("reports"))
        .order_by("period_start", "id")
        .all()
    )


def _reports() -> QuerySet[ProgressReport]:
    return ProgressReport.objects.select_related("cycle", "unit").prefetch_related("values")


@router.post(
    "/programme-cycles/{cycle_id}/reports/{node_id}",
    response={201: ProgressReportOut},
    operation_id="report_programme_task",
    summary="Báo cáo tiến độ một nhiệm vụ trong kỳ (gửi lại khi kỳ chưa khóa sổ thì thay bản cũ)",
    openapi_extra=problems(403, 404),
)
def report(
    request: HttpRequest,
    payload: ProgressReportIn,
    cycle_id: int = Path(..., ge=1, le=MAX_ID),
    node_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    reject_unknown_params(request, ())
    cycle = access.get_cycle_for_user(request.user, cycle_id)
    node = access.get_node_for_user(request.user, node_id)
    if node.programme_id != cycle.programme_id:
        raise Http404("No task matches the given query.")
    access.check_can_report(request.user, node)
    try:
        spent = (
            _money(payload.spent, _("Kinh phí đã giải ngân (spent)"))
            if payload.spent is not None
            else None
        )
        spec = actions.ReportSpec(
            status=payload.status.value,
            progress=payload.progress,
            narrative=payload.narrative,
            spent=spent,
            indicator_values={v.indicator_id: v.value for v in payload.indicator_values},
        )
        saved = actions.do_report(node, cycle, spec, acting_user=request.user)
    except ValidationError as exc:
        return refused(request, exc)
    return Status(201, _reports().get(pk=saved.pk))


@router.get(
    "/programme-nodes/{node_id}/reports",
    response=list[ProgressReportOut],
    operation_id="list_programme_node_reports",
    summary="Các báo cáo tiến độ của một nhiệm vụ, theo kỳ",
    openapi_extra=problems(404),
)
@paginate(Pagination)
def list_reports(request: HttpRequest, node_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, PAGINATION_PARAMS)
    node = access.get_node_for_user(request.user, node_id)
    return _reports().filter(node=node).order_by("cycle__period_start", "id")


# Hand-overs ---------------------------------------------------------------------------------


def _hand_overs() -> QuerySet[HandOver]:
    return HandOver.objects.select_related("from_unit", "to_unit").order_by("-done_at", "-id")


@router.get(
    "/hand-overs",
    response=list[HandOverOut],
    operation_id="list_hand_overs",
    summary="Các lần bàn giao nhiệm vụ của đơn vị thôi hoạt động cho đơn vị kế thừa",
    openapi_extra=problems(),
)
@paginate(Pagination)
def list_hand_overs(request: HttpRequest) -> Any:
    reject_unknown_params(request, PAGINATION_PARAMS)
    scope = scope_for(request.user)
    return _hand_overs().filter(scope.q("from_unit__") | scope.q("to_unit__"))


@router.post(
    "/hand-overs",
    response={201: HandOverOut},
    operation_id="hand_over",
    summary="Bàn giao nhiệm vụ đang thực hiện của một đơn vị cho đơn vị kế thừa (Văn phòng)",
    openapi_extra=problems(403),
)
def hand_over(request: HttpRequest, payload: HandOverIn) -> Any:
    reject_unknown_params(request, ())
    access.check_can_hand_over(request.user)
    scope = scope_for(request.user)
    try:
        from_unit = _unit(
            scope, payload.from_unit_id, _("Đơn vị bàn giao (from_unit_id)"), _loc("from_unit_id")
        )
        to_unit = _unit(
            scope, payload.to_unit_id, _("Đơn vị kế thừa (to_unit_id)"), _loc("to_unit_id")
        )
        done = actions.do_hand_over(
            from_unit,
            to_unit,
            effective_on=payload.effective_on,
            reason=payload.reason,
            acting_user=request.user,
        )
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        return refused(request, exc)
    return Status(201, _hand_overs().get(pk=done.pk))


# Delegations --------------------------------------------------------------------------------


def _delegations() -> QuerySet[Delegation]:
    return Delegation.objects.select_related("from_unit", "to_unit", "programme").order_by(
        "to_unit__name", "kind", "title", "id"
    )


def _mark_programmes(scope: Scope) -> Callable[[list[Delegation]], None]:
    """The programme a delegation serves is named only to who sees it (one query a page)."""

    def mark(rows: list[Delegation]) -> None:
        ids = {d.programme_id for d in rows if d.programme_id is not None}
        seen = set(
            queries.programmes_for(scope).filter(pk__in=ids).values_list("pk", flat=True)
            if ids
            else ()
        )
        for row in rows:
            row.programme_visible = row.programme_id in seen  # type: ignore[attr-defined]

    return mark


def _delegation_out(scope: Scope, delegation_id: int) -> Delegation:
    row = _delegations().get(pk=delegation_id)
    _mark_programmes(scope)([row])
    return row


def _check_can_change_delegation(scope: Scope, from_unit: Unit, to_unit: Unit) -> None:
    if not (scope.can_change(from_unit) or scope.can_change(to_unit)):
        raise PermissionDenied


@router.get(
    "/delegations",
    response=list[DelegationOut],
    operation_id="list_delegations",
    summary="Phân cấp, ủy quyền và cơ chế đặc thù đề xuất, của các đơn vị trong phạm vi",
    openapi_extra=problems(),
)
@paginate(Pagination)
def list_delegations(request: HttpRequest, filters: Query[DelegationFilters]) -> Any:
    reject_unknown_params(request, ("state", "unit_id", *PAGINATION_PARAMS))
    scope = scope_for(request.user)
    rows = _delegations().filter(scope.q("to_unit__") | scope.q("from_unit__"))
    if filters.state is not None:
        rows = rows.filter(state=filters.state.value)
    if filters.unit_id is not None:
        rows = rows.filter(Q(from_unit_id=filters.unit_id) | Q(to_unit_id=filters.unit_id))
    return _Page(rows, _mark_programmes(scope))


@router.post(
    "/delegations",
    response={201: DelegationOut},
    operation_id="create_delegation",
    summary="Ghi một phân cấp, ủy quyền hoặc cơ chế đặc thù đề xuất (đơn vị có quyền thay đổi)",
    openapi_extra=problems(403),
)
def create_delegation(request: HttpRequest, payload: DelegationIn) -> Any:
    reject_unknown_params(request, ())
    scope = scope_for(request.user)
    try:
        from_unit = _unit(
            scope, payload.from_unit_id, _("Cấp phân cấp (from_unit_id)"), _loc("from_unit_id")
        )
        to_unit = _unit(
            scope, payload.to_unit_id, _("Đơn vị được phân cấp (to_unit_id)"), _loc("to_unit_id")
        )
        _check_can_change_delegation(scope, from_unit, to_unit)
        programme = None
        if payload.programme_id is not None:
            programme = queries.programmes_for(scope).filter(pk=payload.programme_id).first()
            if programme is None:
                raise Invalid(
                    _("Chương trình (programme_id): không có chương trình mã số %(id)s.")
                    % {"id": payload.programme_id},
                    _loc("programme_id"),
                )
        spec = actions.DelegationSpec(
            kind=payload.kind.value,
            title=payload.title,
            from_unit=from_unit,
            to_unit=to_unit,
            scope=payload.scope,
            legal_basis=payload.legal_basis,
            effective_on=payload.effective_on,
            state=payload.state.value,
            programme=programme,
        )
        delegation = actions.do_create_delegation(spec, acting_user=request.user)
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        return refused(request, exc)
    return Status(201, _delegation_out(scope, delegation.pk))


@router.patch(
    "/delegations/{delegation_id}",
    response=DelegationOut,
    operation_id="set_delegation_state",
    summary="Đổi trạng thái một phân cấp, cơ chế đặc thù (ngày hiệu lực, căn cứ pháp lý)",
    openapi_extra=problems(403, 404),
)
def set_delegation_state(
    request: HttpRequest, payload: DelegationPatch, delegation_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    scope = scope_for(request.user)
    delegation = access.get_delegation_for_user(request.user, delegation_id)
    _check_can_change_delegation(scope, delegation.from_unit, delegation.to_unit)
    try:
        actions.do_set_delegation_state(
            delegation,
            state=payload.state.value,
            effective_on=payload.effective_on,
            legal_basis=payload.legal_basis,
            acting_user=request.user,
        )
    except ValidationError as exc:
        return refused(request, exc)
    return _delegation_out(scope, delegation.pk)
