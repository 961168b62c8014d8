"""Register endpoints: the issuing bodies in scope, a body's register, the next number, giving
a number and cancelling one.

Reads go through ``tinhuy.register.access`` (outside scope is 404, a register read but not kept
is 403) and ``tinhuy.register.queries``; writes are the actions the pages call. A taken number
is a 409 problem document; any other refusal of the register is a 422.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from tinhuy.apikit import (
    MAX_ID,
    PAGINATION_PARAMS,
    Pagination,
    problem,
    problems,
    reject_unknown_params,
    unprocessable,
)
from tinhuy.org.access import scope_for
from tinhuy.register import access, actions, queries
from tinhuy.register.schemas import (
    NUMBER_TAKEN,
    EntryFilters,
    IssuingBodyOut,
    NextIn,
    NextOut,
    RegisterCancelIn,
    RegisterEntryOut,
    RegisterIssueIn,
)

router = Router(tags=["Sổ đăng ký văn bản đi"])


def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    message = " ".join(exc.messages)
    if isinstance(exc, actions.NumberTaken):
        return problem(request, 409, _("Số đã có trong sổ."), message)
    return unprocessable(request, message)


@router.get(
    "/bodies/",
    response=list[IssuingBodyOut],
    operation_id="list_issuing_bodies",
    openapi_extra=problems(),
    summary="Các cơ quan ban hành có sổ đăng ký văn bản đi mà người dùng xem được",
)
@paginate(Pagination)
def list_bodies(request: HttpRequest) -> Any:
    reject_unknown_params(request, PAGINATION_PARAMS)
    return queries.bodies_for(scope_for(request.user))


@router.get(
    "/bodies/{body_id}/entries",
    response=list[RegisterEntryOut],
    operation_id="list_register_entries",
    openapi_extra=problems(404),
    summary="Sổ đăng ký văn bản đi của một cơ quan, mới nhất trước, lọc theo thời kỳ và loại",
)
@paginate(Pagination)
def list_entries(
    request: HttpRequest,
    filters: Query[EntryFilters],
    body_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    reject_unknown_params(request, ("period", "doc_type", *PAGINATION_PARAMS))
    body = access.get_body_for_user(request.user, body_id)
    doc_type = filters.doc_type.value if filters.doc_type is not None else None
    return queries.entries(body, period_id=filters.period, doc_type=doc_type)


@router.get(
    "/bodies/{body_id}/next",
    response=NextOut,
    operation_id="get_next_register_number",
    openapi_extra=problems(404),
    summary="Số kế tiếp đề xuất cho một loại văn bản, vào một ngày ban hành",
)
def get_next(
    request: HttpRequest, params: Query[NextIn], body_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ("doc_type", "on"))
    body = access.get_body_for_user(request.user, body_id)
    on = params.on or timezone.localdate()
    doc_type = params.doc_type.value
    try:
        period = queries.period_on(body, on)
    except ValidationError as exc:
        return _refused(request, exc)
    number = queries.next_in_period(period, doc_type)
    symbol = body.symbol_for(doc_type, number)
    return NextOut(
        period=period,  # type: ignore[arg-type]
        doc_type=doc_type,
        number=number,
        symbol=symbol,
        number_line=body.number_line(symbol),
    )


@router.post(
    "/bodies/{body_id}/entries",
    response={201: RegisterEntryOut},
    operation_id="issue_register_number",
    openapi_extra=problems(403, 404, conflict=NUMBER_TAKEN),
    summary="Cấp số cho một văn bản (số kế tiếp, hoặc số ghi tay kèm lý do)",
)
def issue(
    request: HttpRequest, payload: RegisterIssueIn, body_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    body = access.get_body_for_keeper(request.user, body_id)
    try:
        entry = actions.do_issue(
            body,
            payload.doc_type.value,
            issued_on=payload.issued_on,
            summary=payload.summary,
            signer_name=payload.signer_name,
            signer_position=payload.signer_position,
            authority=payload.authority,
            recipients=payload.recipients,
            number=payload.number,
            reason=payload.reason,
            acting_user=request.user,
        )
    except ValidationError as exc:
        return _refused(request, exc)
    return Status(201, entry)


@router.post(
    "/entries/{entry_id}/cancel",
    response=RegisterEntryOut,
    operation_id="cancel_register_entry",
    openapi_extra=problems(403, 404),
    summary="Hủy một số đã cấp, có lý do (số vẫn ở lại trong sổ, không được cấp lại)",
)
def cancel(
    request: HttpRequest, payload: RegisterCancelIn, entry_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    entry = access.get_entry_for_change(request.user, entry_id)
    try:
        return actions.do_cancel_entry(entry, reason=payload.reason, acting_user=request.user)
    except ValidationError as exc:
        return _refused(request, exc)
