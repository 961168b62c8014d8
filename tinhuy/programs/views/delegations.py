"""Programme pages: the delegation register (R5) — powers the province delegates to a unit and
special mechanisms proposed, with their state and the programme they serve — and the hand-over
of a ceased unit's open work to its successor (the province office's)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tinhuy.accounts.names import full_name
from tinhuy.apikit import parse_id
from tinhuy.org.access import Scope, require_province_admin, scope_for
from tinhuy.org.models import Unit
from tinhuy.programs import access, actions, queries
from tinhuy.programs.delegation_forms import (
    DelegationForm,
    DelegationStateForm,
    HandOverForm,
    delegation_units,
)
from tinhuy.programs.models import (
    Delegation,
    DelegationState,
    HandOver,
    Node,
    NodeHandOver,
    NodeStatus,
    Programme,
    ProgrammeState,
)

PAGE_SIZE = 50


def _can_write_any(scope: Scope) -> bool:
    return scope.everything or bool(scope.change_paths)


def _can_change(scope: Scope, delegation: Delegation) -> bool:
    return scope.can_change(delegation.from_unit) or scope.can_change(delegation.to_unit)


def _mark_programmes(scope: Scope, rows: list[Delegation]) -> None:
    """The programme a delegation serves is linked only for who sees it (one query)."""
    ids = {d.programme_id for d in rows if d.programme_id is not None}
    seen = (
        set(queries.programmes_for(scope).filter(pk__in=ids).values_list("pk", flat=True))
        if ids
        else set()
    )
    for row in rows:
        row.programme_visible = row.programme_id in seen  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET"])
def delegation_list(request: HttpRequest) -> HttpResponse:
    """The delegations to or from units the user sees, filtered by state and unit."""
    scope = scope_for(request.user)
    state = request.GET.get("trang-thai", "")
    if state not in DelegationState.values:
        state = ""
    units = list(delegation_units(scope))
    unit_id = parse_id(request.GET.get("don-vi"))
    if unit_id not in {u.pk for u in units}:
        unit_id = None
    rows: QuerySet[Delegation] = (
        Delegation.objects.filter(scope.q("to_unit__") | scope.q("from_unit__"))
        .select_related("from_unit", "to_unit", "programme")
        .order_by("to_unit__name", "kind", "title", "id")
    )
    if state:
        rows = rows.filter(state=state)
    if unit_id is not None:
        rows = rows.filter(Q(from_unit_id=unit_id) | Q(to_unit_id=unit_id))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    delegations = list(page.object_list)
    _mark_programmes(scope, delegations)
    query = "&".join(
        part
        for part in (
            f"trang-thai={state}" if state else "",
            f"don-vi={unit_id}" if unit_id else "",
        )
        if part
    )
    return render(
        request,
        "programs/delegation_list.html",
        {
            "page": page,
            "delegations": delegations,
            "states": DelegationState.choices,
            "state": state,
            "units": units,
            "unit_id": unit_id,
            "query": query,
            "can_create": _can_write_any(scope),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delegation_create(request: HttpRequest) -> HttpResponse:
    """Record a delegation or a proposed mechanism: for users who change its from or to unit."""
    scope = scope_for(request.user)
    if not _can_write_any(scope):
        raise PermissionDenied
    form = DelegationForm(
        request.POST if request.method == "POST" else None,
        units=delegation_units(scope),
        programmes=queries.programmes_for(scope).order_by("title", "id"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not (scope.can_change(data["from_unit"]) or scope.can_change(data["to_unit"])):
            form.add_error(
                None, _("Bạn chỉ ghi được phân cấp từ hoặc đến một đơn vị do mình quản lý.")
            )
        else:
            try:
                delegation = actions.do_create_delegation(
                    actions.DelegationSpec(
                        kind=data["kind"],
                        title=data["title"],
                        from_unit=data["from_unit"],
                        to_unit=data["to_unit"],
                        scope=data["scope"],
                        legal_basis=data["legal_basis"],
                        effective_on=data["effective_on"],
                        state=data["state"],
                        programme=data["programme"],
                    ),
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã ghi “%(t)s”.") % {"t": delegation.title})
                return redirect("programs_delegation", delegation_id=delegation.pk)
    return render(request, "programs/delegation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delegation_detail(request: HttpRequest, delegation_id: int) -> HttpResponse:
    """A delegation, and for who changes its from or to unit the form that moves its state."""
    scope = scope_for(request.user)
    delegation = access.get_delegation_for_user(request.user, delegation_id)
    can_change = _can_change(scope, delegation)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    form = None
    if can_change:
        form = DelegationStateForm(
            request.POST if request.method == "POST" else None,
            initial={"state": delegation.state, "effective_on": delegation.effective_on},
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            actions.do_set_delegation_state(
                delegation,
                state=form.cleaned_data["state"],
                effective_on=form.cleaned_data["effective_on"],
                legal_basis=form.cleaned_data["legal_basis"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã cập nhật trạng thái."))
            return redirect("programs_delegation", delegation_id=delegation.pk)
    _mark_programmes(scope, [delegation])
    return render(
        request, "programs/delegation_detail.html", {"delegation": delegation, "form": form}
    )


# Hand-over ----------------------------------------------------------------------------------

_FINISHED = (NodeStatus.DONE, NodeStatus.CANCELLED)
_ENDED = (ProgrammeState.COMPLETED, ProgrammeState.CANCELLED)


def _units_with_work_to_hand_over() -> QuerySet[Unit]:
    """Units that have successors and still lead, co-ordinate or are the focal agency of work
    in programmes not ended: the only ones a hand-over can move anything from."""
    open_nodes = Node.objects.exclude(status__in=_FINISHED).exclude(programme__state__in=_ENDED)
    through = Node.coordinating_units.through
    return (
        Unit.objects.filter(successors__isnull=False)
        .filter(
            Q(pk__in=open_nodes.values("lead_unit_id"))
            | Q(pk__in=through.objects.filter(node__in=open_nodes).values("unit_id"))
            | Q(
                pk__in=Programme.objects.exclude(state__in=_ENDED).values("focal_agency_id"),
            )
        )
        .select_related("structure")
        .distinct()
        .order_by("structure__name", "path")
    )


def _past(request: HttpRequest) -> tuple[Any, list[dict[str, Any]]]:
    """Past hand-overs, a page of them, each with what moved (three queries a page)."""
    page = Paginator(
        HandOver.objects.select_related("from_unit", "to_unit", "done_by").order_by(
            "-done_at", "-id"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("trang"))
    hand_overs = list(page.object_list)
    nodes: dict[int, dict[str, list[Node]]] = {h.pk: {} for h in hand_overs}
    for row in (
        NodeHandOver.objects.filter(hand_over__in=hand_overs)
        .select_related("node__programme")
        .order_by("node__programme__title", "node__path")
    ):
        nodes[row.hand_over_id].setdefault(row.role, []).append(row.node)
    focal_ids = {pk for h in hand_overs for pk in (h.moved or {}).get("focal", [])}
    programmes = Programme.objects.in_bulk(focal_ids) if focal_ids else {}
    rows = [
        {
            "hand_over": h,
            "done_by": full_name(h.done_by) if h.done_by else "",
            "lead": nodes[h.pk].get("lead", []),
            "coordinating": nodes[h.pk].get("coordinating", []),
            "focal": [
                programmes[pk] for pk in (h.moved or {}).get("focal", []) if pk in programmes
            ],
        }
        for h in hand_overs
    ]
    return page, rows


@login_required
@require_http_methods(["GET", "POST"])
def hand_over(request: HttpRequest) -> HttpResponse:
    """Pick a unit that has successors, see what would move (a dry run), confirm: its open
    work moves to the successor chosen in one audited action. Past hand-overs below."""
    require_province_admin(request.user)
    candidates = list(_units_with_work_to_hand_over())
    from_id = parse_id(request.GET.get("tu"))
    from_unit = next((u for u in candidates if u.pk == from_id), None)
    preview = form = None
    if from_unit is not None:
        preview = queries.hand_over_preview(from_unit)
        successors = list(from_unit.successors.select_related("structure").order_by("path"))
        form = HandOverForm(
            request.POST if request.method == "POST" else None,
            successors=from_unit.successors.select_related("structure").order_by("path"),
            # The recorded successor is the one to pick when there is only one; the date the
            # unit ceased, the day after its last.
            initial={
                "to_unit": successors[0].pk if len(successors) == 1 else None,
                "effective_on": from_unit.valid_to + datetime.timedelta(days=1)
                if from_unit.valid_to
                else None,
            },
        )
    elif request.method == "POST":
        messages.error(request, _("Hãy chọn đơn vị bàn giao."))
        return redirect("programs_hand_over")
    if request.method == "POST" and form is not None and from_unit is not None and form.is_valid():
        try:
            done = actions.do_hand_over(
                from_unit,
                form.cleaned_data["to_unit"],
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            moved = done.moved
            messages.success(
                request,
                _(
                    "Đã bàn giao từ %(from)s cho %(to)s: %(lead)s nhiệm vụ chủ trì, "
                    "%(coord)s mục phối hợp, %(focal)s chương trình đầu mối."
                )
                % {
                    "from": from_unit.name,
                    "to": done.to_unit.name,
                    "lead": len(moved["lead"]),
                    "coord": len(moved["coordinating"]),
                    "focal": len(moved["focal"]),
                },
            )
            return redirect("programs_hand_over")
    page, past = _past(request)
    return render(
        request,
        "programs/hand_over.html",
        {
            "candidates": candidates,
            "from_unit": from_unit,
            "preview": preview,
            "form": form,
            "page": page,
            "past": past,
            "unknown_unit": from_id is not None and from_unit is None,
        },
    )


urlpatterns: list[URLPattern] = [
    path("phan-cap/", delegation_list, name="programs_delegations"),
    path("phan-cap/moi/", delegation_create, name="programs_delegation_create"),
    path("phan-cap/<int:delegation_id>/", delegation_detail, name="programs_delegation"),
    path("ban-giao/", hand_over, name="programs_hand_over"),
]
