"""Study campaign endpoints: plans, progress as of a date, the unit table, conferences, reports.

Every read goes through ``tinhuy.study.access`` (outside scope is 404, read-only is 403) and
``tinhuy.study.queries``, the same functions the pages use; every write is one action of
``tinhuy.study.actions``. The API only checks the shape of the input and turns the actions'
``ValidationError`` into a 422 problem document (409 for a second report).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from tinhuy.apikit import (
    MAX_ID,
    PAGINATION_PARAMS,
    Invalid,
    Pagination,
    problem,
    problems,
    reject_unknown_params,
    unprocessable,
)
from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.study import access, actions, queries
from tinhuy.study.models import Conference, LevelRule, Plan
from tinhuy.study.schemas import (
    CancelIn,
    ConferenceIn,
    ConferenceOut,
    LevelProgressOut,
    PlanDetailOut,
    PlanOut,
    PlanUnitFilters,
    ProgressFilters,
    ProgressOut,
    RegistrationIn,
    ReportIn,
    UnitRowOut,
)

router = Router(tags=["Học tập, quán triệt"])

PROGRESS_PARAMS = ("as_of", "unit")
# The 409 of a change to a registration that can no longer change, in the OpenAPI document.
CLOSED_REGISTRATION = "Đăng ký đã có báo cáo hoặc đã hủy: không còn sửa được."


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Plans


@router.get(
    "/plans/",
    response=list[PlanOut],
    operation_id="list_study_plans",
    openapi_extra=problems(),
    summary="Các kế hoạch học tập, quán triệt mà người dùng xem được",
)
@paginate(Pagination)
def list_plans(request: HttpRequest) -> Any:
    reject_unknown_params(request, PAGINATION_PARAMS)
    return queries.plans_for(scope_for(request.user))


@router.get(
    "/plans/{plan_id}",
    response=PlanDetailOut,
    operation_id="get_study_plan",
    openapi_extra=problems(404),
    summary="Một kế hoạch: chuyên đề và quy định theo từng cấp",
)
def get_plan(request: HttpRequest, plan_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    plan = access.get_plan_for_user(request.user, plan_id)
    prefetch_related_objects(
        [plan],
        "topics",
        Prefetch(
            "rules",
            queryset=LevelRule.objects.select_related("level").prefetch_related(
                "participant_levels"
            ),
        ),
    )
    return plan


# Progress


def _progress(request: HttpRequest, plan_id: int, filters: ProgressFilters) -> queries.PlanProgress:
    plan = access.get_plan_for_user(request.user, plan_id)
    root = access.progress_root_for(request.user, plan, filters.unit)
    as_of = filters.as_of or timezone.localdate()
    return queries.plan_progress(plan, root, scope_for(request.user), as_of)


@router.get(
    "/plans/{plan_id}/progress",
    response=ProgressOut,
    operation_id="get_plan_progress",
    openapi_extra=problems(404),
    summary="Tiến độ theo từng cấp trên cây đơn vị, tính đến một ngày",
)
def get_progress(
    request: HttpRequest,
    filters: Query[ProgressFilters],
    plan_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    reject_unknown_params(request, PROGRESS_PARAMS)
    progress = _progress(request, plan_id, filters)
    return ProgressOut(
        plan_id=progress.plan.pk,
        as_of=progress.as_of,
        unit=progress.root,  # type: ignore[arg-type]
        levels=[
            LevelProgressOut.from_totals(row.rule.level.name, row.rule.deadline, row.totals)
            for row in progress.rules
        ],
    )


@router.get(
    "/plans/{plan_id}/units",
    response=list[UnitRowOut],
    operation_id="list_plan_units",
    openapi_extra=problems(404),
    summary="Bảng đơn vị: trạng thái từng đơn vị theo từng cấp, lọc theo trạng thái, cấp",
)
@paginate(Pagination)
def list_plan_units(
    request: HttpRequest,
    filters: Query[PlanUnitFilters],
    plan_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    reject_unknown_params(request, (*PROGRESS_PARAMS, "status", "level", *PAGINATION_PARAMS))
    progress = _progress(request, plan_id, filters)
    # The dashboard's vocabulary: the same filters give the page's and the .xlsx's rows.
    rows = queries.UnitFilters(
        status=queries.RowFilter(filters.status.value) if filters.status is not None else None,
        level_id=filters.level,
    ).apply(progress.rows)
    rule_level_names = {
        rule_row.rule.level_id: rule_row.rule.level.name for rule_row in progress.rules
    }
    for row in rows:
        row.rule_level_name = rule_level_names[row.progress.level_id]  # type: ignore[attr-defined]
    return rows


# Conferences


def _with_details(conference: Conference) -> Conference:
    """Attach what ``ConferenceOut`` shows: agenda, bridge points, latest report revision."""
    conference.segment_list = list(  # type: ignore[attr-defined]
        conference.segments.select_related("topic", "presenter_unit")
    )
    conference.bridge_list = list(  # type: ignore[attr-defined]
        conference.bridge_points.select_related("unit").order_by("unit__name_sort")
    )
    conference.latest = queries.latest_report(conference)  # type: ignore[attr-defined]
    return conference


@router.get(
    "/conferences/{conference_id}",
    response=ConferenceOut,
    operation_id="get_conference",
    openapi_extra=problems(404),
    summary="Một hội nghị: nội dung, báo cáo viên, điểm cầu, báo cáo kết quả mới nhất",
)
def get_conference(request: HttpRequest, conference_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    return _with_details(access.get_conference_for_user(request.user, conference_id))


def _conference_spec(
    request: HttpRequest, plan: Plan, host: Unit, payload: RegistrationIn
) -> actions.ConferenceSpec:
    """The action's spec, with every id in the body resolved, or ``Invalid`` naming the field.

    Units are looked up by the rule the page form follows (``access.nameable_units``):
    presenters from units the caller sees or above them (a province reporter), bridge points
    from units the caller sees. Any other id reads as unknown, in the same words, so ids
    outside the caller's scope cannot be probed.
    """
    scope = scope_for(request.user)
    topic_orders = set(plan.topics.values_list("order", flat=True))
    presenter_units = access.nameable_units(scope, plan.structure_id, presenters=True).in_bulk(
        {s.presenter_unit_id for s in payload.segments}
    )
    bridge_units = access.nameable_units(scope, plan.structure_id).in_bulk(
        {b.unit_id for b in payload.bridge_points}
    )

    segments = []
    for i, segment in enumerate(payload.segments):
        loc = ("body", "payload", "segments", i)
        if segment.topic_order is not None and segment.topic_order not in topic_orders:
            raise Invalid(
                _(
                    "Nội dung thứ %(n)s (segments[%(i)s].topic_order): kế hoạch không có chuyên đề "
                    "thứ %(order)s."
                )
                % {"n": i + 1, "i": i, "order": segment.topic_order},
                (*loc, "topic_order"),
            )
        unit = presenter_units.get(segment.presenter_unit_id)
        if unit is None:
            raise Invalid(
                _(
                    "Nội dung thứ %(n)s (segments[%(i)s].presenter_unit_id): không có đơn vị mã số "
                    "%(id)s trong cơ cấu của kế hoạch."
                )
                % {"n": i + 1, "i": i, "id": segment.presenter_unit_id},
                (*loc, "presenter_unit_id"),
            )
        segments.append(
            actions.SegmentSpec(
                content_kind=segment.content_kind,
                presenter_name=segment.presenter_name,
                presenter_role=segment.presenter_role,
                presenter_unit=unit,
                presenter_position=segment.presenter_position,
                topic_order=segment.topic_order,
            )
        )
    bridges = []
    for i, bridge in enumerate(payload.bridge_points):
        unit = bridge_units.get(bridge.unit_id)
        if unit is None:
            raise Invalid(
                _(
                    "Điểm cầu thứ %(n)s (bridge_points[%(i)s].unit_id): không có đơn vị mã số "
                    "%(id)s trong cơ cấu của kế hoạch."
                )
                % {"n": i + 1, "i": i, "id": bridge.unit_id},
                ("body", "payload", "bridge_points", i, "unit_id"),
            )
        bridges.append(
            actions.BridgeSpec(
                unit=unit,
                expected_count=bridge.expected_count,
                venue=bridge.venue,
                host_person=bridge.host_person,
            )
        )
    return actions.ConferenceSpec(
        host=host,
        date=payload.date,
        length_sessions=payload.length_sessions,
        mode=payload.mode,
        venue=payload.venue,
        start_time=payload.start_time,
        segments=segments,
        bridge_points=bridges,
    )


def _rule_problems(request: HttpRequest, exc: actions.RuleProblemsError) -> HttpResponse:
    """422 naming each problem the level's rule found; sent again with ``confirm_problems``
    true, the registration is saved and the confirmation recorded."""
    detail = _(
        "Đăng ký có vấn đề so với quy định của kế hoạch: %(problems)s Gửi lại với "
        "“confirm_problems”: true để vẫn lưu."
    ) % {"problems": " ".join(p.message for p in exc.problems)}
    return problem(
        request,
        422,
        _("Đăng ký có vấn đề so với quy định."),
        detail,
        problems=[p.as_json() for p in exc.problems],
        errors=[{"loc": ["body", "payload", "confirm_problems"], "msg": detail}],
    )


@router.post(
    "/plans/{plan_id}/conferences",
    response={201: ConferenceOut},
    operation_id="register_conference",
    openapi_extra=problems(403, 404),
    summary="Đăng ký một hội nghị học tập, quán triệt của đơn vị (kiểm tra theo quy định của cấp)",
)
def register_conference(
    request: HttpRequest, payload: ConferenceIn, plan_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    plan = access.get_plan_for_user(request.user, plan_id)
    host = access.get_host_for_report(request.user, plan, payload.host_unit_id)
    try:
        spec = _conference_spec(request, plan, host, payload)
        conference = actions.do_register_conference(
            plan, spec, acting_user=request.user, confirm_problems=payload.confirm_problems
        )
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except actions.RuleProblemsError as exc:
        return _rule_problems(request, exc)
    except ValidationError as exc:
        return unprocessable(request, _message(exc))
    return Status(201, _with_details(access.get_conference_for_user(request.user, conference.pk)))


def _closed_registration(request: HttpRequest, exc: ValidationError) -> HttpResponse | None:
    """409 when the registration can no longer change (reported or cancelled)."""
    if exc.code in ("reported", "cancelled"):
        return problem(request, 409, _("Đăng ký không còn sửa được."), _message(exc))
    return None


@router.put(
    "/conferences/{conference_id}",
    response=ConferenceOut,
    operation_id="edit_conference",
    openapi_extra=problems(403, 404, conflict=CLOSED_REGISTRATION),
    summary="Sửa đăng ký hội nghị chưa báo cáo (kiểm tra lại theo quy định của cấp)",
)
def edit_conference(
    request: HttpRequest, payload: RegistrationIn, conference_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    conference = access.get_conference_for_change(request.user, conference_id)
    try:
        spec = _conference_spec(request, conference.plan, conference.host, payload)
        actions.do_edit_conference(
            conference, spec, acting_user=request.user, confirm_problems=payload.confirm_problems
        )
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except actions.RuleProblemsError as exc:
        return _rule_problems(request, exc)
    except ValidationError as exc:
        return _closed_registration(request, exc) or unprocessable(request, _message(exc))
    return _with_details(access.get_conference_for_user(request.user, conference.pk))


@router.post(
    "/conferences/{conference_id}/cancel",
    response=ConferenceOut,
    operation_id="cancel_conference",
    openapi_extra=problems(403, 404, conflict=CLOSED_REGISTRATION),
    summary="Hủy đăng ký hội nghị chưa báo cáo, với lý do",
)
def cancel_conference(
    request: HttpRequest, payload: CancelIn, conference_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    conference = access.get_conference_for_change(request.user, conference_id)
    try:
        actions.do_cancel_conference(conference, reason=payload.reason, acting_user=request.user)
    except ValidationError as exc:
        return _closed_registration(request, exc) or unprocessable(request, _message(exc))
    return _with_details(access.get_conference_for_user(request.user, conference.pk))


def _report_spec(payload: ReportIn) -> actions.ReportSpec:
    bridge_attended: dict[int, int] = {}
    for i, bridge in enumerate(payload.bridge_attended):
        if bridge.unit_id in bridge_attended:
            raise Invalid(
                _(
                    "Điểm cầu thứ %(n)s (bridge_attended[%(i)s].unit_id): đơn vị đã được khai "
                    "báo ở trên."
                )
                % {"n": i + 1, "i": i},
                ("body", "payload", "bridge_attended", i, "unit_id"),
            )
        bridge_attended[bridge.unit_id] = bridge.attended_count
    return actions.ReportSpec(
        expected_count=payload.expected_count,
        attended_count=payload.attended_count,
        made_up_count=payload.made_up_count,
        reflections_count=payload.reflections_count,
        absence_notes=payload.absence_notes,
        minutes=payload.minutes,
        bridge_attended=bridge_attended,
    )


@router.post(
    "/conferences/{conference_id}/report",
    response={201: ConferenceOut},
    operation_id="report_conference",
    openapi_extra=problems(403, 404, conflict="Hội nghị đã có báo cáo (sửa bằng PUT)."),
    summary="Gửi báo cáo kết quả hội nghị (lần đầu; báo cáo thứ hai bị từ chối với mã 409)",
)
def report_conference(
    request: HttpRequest, payload: ReportIn, conference_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    conference = access.get_conference_for_change(request.user, conference_id)
    try:
        actions.do_report_conference(conference, _report_spec(payload), acting_user=request.user)
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        # The action refuses a second report before checking anything else, so a report that
        # exists now means this was (or has just become) a second report: a conflict.
        if conference.reports.exists():
            return problem(request, 409, _("Hội nghị đã có báo cáo."), _message(exc))
        return unprocessable(request, _message(exc))
    return Status(201, _with_details(conference))


@router.put(
    "/conferences/{conference_id}/report",
    response=ConferenceOut,
    operation_id="amend_conference_report",
    openapi_extra=problems(403, 404),
    summary="Sửa báo cáo kết quả hội nghị (lưu thành bản mới, giữ bản cũ)",
)
def amend_report(
    request: HttpRequest, payload: ReportIn, conference_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    conference = access.get_conference_for_change(request.user, conference_id)
    try:
        actions.do_amend_report(conference, _report_spec(payload), acting_user=request.user)
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        return unprocessable(request, _message(exc))
    return _with_details(conference)
