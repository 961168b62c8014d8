"""Standing Board meeting endpoints: drafts and their versions, opinions and the disposition
table, meetings with their items and conclusions, follow-ups, and issuing a draft.

Every read goes through ``tinhuy.meetings.access`` (outside what the caller sees is 404, in the
same words as an id that does not exist; seen but not theirs to do is 403) and
``tinhuy.meetings.queries``, the functions the pages use; every write is one action of
``tinhuy.meetings.actions``. The API checks the shape of the input, resolves the ids a body
names (an id the caller does not see reads as unknown, in the same words) and turns an action's
refusal into a 422 problem document with its Vietnamese message (409 for a register number
already taken). Every status an operation can answer is in the OpenAPI document.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
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
    refused,
    reject_unknown_params,
    unprocessable,
)
from tinhuy.meetings import access, actions, queries
from tinhuy.meetings.models import (
    AgendaItem,
    Draft,
    DraftKind,
    DraftVersion,
    FollowUp,
    FollowUpState,
    Meeting,
    Opinion,
)
from tinhuy.meetings.schemas import (
    MAX_VERSION,
    CloseIn,
    ConclusionIn,
    DiffFilters,
    DiffOut,
    DispositionIn,
    DispositionTableOut,
    DraftDetailOut,
    DraftFilters,
    DraftIn,
    DraftOut,
    FollowUpDetailOut,
    FollowUpFilters,
    FollowUpIn,
    IssuedOut,
    IssueIn,
    IssueStateOut,
    ItemIn,
    ItemOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    OpinionIn,
    OpinionOut,
    SubmitIn,
    TextIn,
    VersionTextOut,
)
from tinhuy.org.access import Scope, get_unit_for_change, get_unit_for_user, scope_for
from tinhuy.org.models import Person, Unit
from tinhuy.register.actions import NumberTaken
from tinhuy.register.schemas import NUMBER_TAKEN

router = Router(tags=["Phiên họp Ban Thường vụ"])


def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """An action's refusal: 409 for a register number already taken, 422 for the rest."""
    if isinstance(exc, NumberTaken):
        return problem(request, 409, _("Số đã có trong sổ."), " ".join(exc.messages))
    return refused(request, exc)


# Drafts -------------------------------------------------------------------------------------


def _draft(request: HttpRequest, draft_id: int) -> Draft:
    return access.get_draft_for_user(request.user, draft_id)


def _version(draft: Draft, number: int) -> DraftVersion:
    version = draft.versions.filter(number=number).first()
    if version is None:
        raise Http404("No version matches the given query.")
    return version


def _detail(draft: Draft) -> Draft:
    """The draft with what ``DraftDetailOut`` shows: its versions with their opinion counts."""
    fresh = (
        Draft.objects.select_related(
            "submitting_unit", "issuing_unit", "register_entry", "issued_version"
        )
        .filter(pk=draft.pk)
        .get()
    )
    fresh.version_list = list(queries.draft_versions(fresh))  # type: ignore[attr-defined]
    return fresh


@router.get(
    "/drafts/",
    response=list[DraftOut],
    operation_id="list_drafts",
    summary="Các dự thảo người dùng xem được (Văn phòng, Ban Thường vụ, cơ quan trình)",
    openapi_extra=problems(),
)
@paginate(Pagination)
def list_drafts(request: HttpRequest, filters: Query[DraftFilters]) -> Any:
    reject_unknown_params(request, ("state", "kind", *PAGINATION_PARAMS))
    drafts = access.drafts_for(scope_for(request.user)).select_related("register_entry")
    if filters.state is not None:
        drafts = drafts.filter(state=filters.state.value)
    if filters.kind is not None:
        drafts = drafts.filter(kind=filters.kind.value)
    return drafts


@router.post(
    "/drafts/",
    response={201: DraftDetailOut},
    operation_id="create_draft",
    summary="Soạn một dự thảo văn bản (nội dung tự do, Markdown) của một cơ quan trình",
    openapi_extra=problems(403, 404),
)
def create_draft(request: HttpRequest, payload: DraftIn) -> Any:
    reject_unknown_params(request, ())
    submitting = get_unit_for_change(request.user, payload.submitting_unit_id)
    issuing = Unit.objects.filter(pk=payload.issuing_unit_id).first()
    # The committee that issues is the submitting body's own or one above it; any other id
    # (one the caller does not see included) reads the same, naming nothing.
    if issuing is None or not submitting.path.startswith(issuing.path):
        return unprocessable(
            request,
            _(
                "Cơ quan ban hành (issuing_unit_id) phải là chính cơ quan trình hoặc cấp ủy cấp "
                "trên của cơ quan trình."
            ),
            ("body", "payload", "issuing_unit_id"),
        )
    try:
        draft = actions.do_create_draft(
            kind=DraftKind.TEXT,
            title=payload.title,
            doc_type=payload.doc_type.value,
            submitting_unit=submitting,
            issuing_unit=issuing,
            text=payload.text,
            acting_user=request.user,
        )
    except ValidationError as exc:
        return _refused(request, exc)
    return Status(201, _detail(draft))


@router.get(
    "/drafts/{draft_id}",
    response=DraftDetailOut,
    operation_id="get_draft",
    summary="Một dự thảo: trạng thái, nội dung đang soạn, các lần trình và số ý kiến",
    openapi_extra=problems(404),
)
def get_draft(request: HttpRequest, draft_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    return _detail(_draft(request, draft_id))


@router.put(
    "/drafts/{draft_id}/text",
    response=DraftDetailOut,
    operation_id="save_draft_text",
    summary="Lưu nội dung đang soạn cho lần trình tới (cơ quan trình hoặc Văn phòng)",
    openapi_extra=problems(403, 404),
)
def save_text(
    request: HttpRequest, payload: TextIn, draft_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    draft = _draft(request, draft_id)
    access.check_can_write(request.user, draft)
    try:
        actions.do_save_text(draft, text=payload.text, acting_user=request.user)
    except ValidationError as exc:
        return _refused(request, exc)
    return _detail(draft)


@router.post(
    "/drafts/{draft_id}/versions",
    response={201: VersionTextOut},
    operation_id="submit_draft_version",
    summary="Trình: đóng băng nội dung đang soạn thành lần trình kế tiếp, đánh số dòng",
    openapi_extra=problems(403, 404),
)
def submit_version(
    request: HttpRequest, payload: SubmitIn, draft_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    draft = _draft(request, draft_id)
    access.check_can_write(request.user, draft)
    try:
        version = actions.do_submit_version(draft, note=payload.note, acting_user=request.user)
    except ValidationError as exc:
        return _refused(request, exc)
    return Status(201, version)


@router.get(
    "/drafts/{draft_id}/versions/{number}",
    response=VersionTextOut,
    operation_id="get_draft_version",
    summary="Một lần trình: nội dung theo dòng đánh số (như bản in)",
    openapi_extra=problems(404),
)
def get_version(
    request: HttpRequest,
    draft_id: int = Path(..., ge=1, le=MAX_ID),
    number: int = Path(..., ge=1, le=MAX_VERSION),
) -> Any:
    reject_unknown_params(request, ())
    return _version(_draft(request, draft_id), number)


@router.get(
    "/drafts/{draft_id}/diff",
    response=DiffOut,
    operation_id="diff_draft_versions",
    summary="So sánh hai lần trình: các dòng thêm, bớt; với kế hoạch, quy định từng cấp",
    openapi_extra=problems(404),
)
def diff_versions(
    request: HttpRequest, params: Query[DiffFilters], draft_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ("old", "new"))
    draft = _draft(request, draft_id)
    old, new = _version(draft, params.old), _version(draft, params.new)
    rules = queries.diff_plan_rules(old, new) if draft.kind == DraftKind.STUDY_PLAN else []
    return {
        "draft_id": draft.pk,
        "old": old.number,
        "new": new.number,
        "lines": queries.diff_versions(old, new),
        "rules": rules,
    }


# Opinions and dispositions ------------------------------------------------------------------


@router.get(
    "/drafts/{draft_id}/versions/{number}/opinions",
    response=list[OpinionOut],
    operation_id="list_opinions",
    summary="Các ý kiến góp ý vào một lần trình, theo thứ tự dòng, kèm việc tiếp thu",
    openapi_extra=problems(404),
)
@paginate(Pagination)
def list_opinions(
    request: HttpRequest,
    draft_id: int = Path(..., ge=1, le=MAX_ID),
    number: int = Path(..., ge=1, le=MAX_VERSION),
) -> Any:
    reject_unknown_params(request, PAGINATION_PARAMS)
    return queries.disposition_rows(_version(_draft(request, draft_id), number))


@router.post(
    "/drafts/{draft_id}/versions/{number}/opinions",
    response={201: OpinionOut},
    operation_id="give_opinion",
    summary="Góp ý vào lần trình mới nhất (Ủy viên Ban Thường vụ), có thể theo dòng",
    openapi_extra=problems(403, 404),
)
def give_opinion(
    request: HttpRequest,
    payload: OpinionIn,
    draft_id: int = Path(..., ge=1, le=MAX_ID),
    number: int = Path(..., ge=1, le=MAX_VERSION),
) -> Any:
    reject_unknown_params(request, ())
    draft = _draft(request, draft_id)
    version = _version(draft, number)
    access.check_can_opine(request.user, draft)
    try:
        opinion = actions.do_give_opinion(
            version,
            text=payload.text,
            line_from=payload.line_from,
            line_to=payload.line_to,
            proposed_text=payload.proposed_text,
            acting_user=request.user,
        )
    except ValidationError as exc:
        return _refused(request, exc)
    return Status(201, opinion)


@router.get(
    "/drafts/{draft_id}/versions/{number}/dispositions",
    response=DispositionTableOut,
    operation_id="get_disposition_table",
    summary="Bảng tổng hợp tiếp thu, giải trình ý kiến của một lần trình",
    openapi_extra=problems(404),
)
def disposition_table(
    request: HttpRequest,
    draft_id: int = Path(..., ge=1, le=MAX_ID),
    number: int = Path(..., ge=1, le=MAX_VERSION),
) -> Any:
    reject_unknown_params(request, ())
    draft = _draft(request, draft_id)
    version = _version(draft, number)
    rows = list(queries.disposition_rows(version))
    return {
        "draft_id": draft.pk,
        "draft_title": draft.title,
        "submitting_unit": draft.submitting_unit,
        "version": version.number,
        "unanswered": sum(not hasattr(row, "disposition") for row in rows),
        "rows": rows,
    }


@router.put(
    "/opinions/{opinion_id}/disposition",
    response=OpinionOut,
    operation_id="record_disposition",
    summary="Tiếp thu, tiếp thu một phần hoặc giải trình một ý kiến (chỉ cơ quan trình)",
    openapi_extra=problems(403, 404),
)
def record_disposition(
    request: HttpRequest,
    payload: DispositionIn,
    opinion_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    reject_unknown_params(request, ())
    opinion = access.get_opinion_for_user(request.user, opinion_id)
    access.check_can_dispose(request.user, opinion.version.draft)
    try:
        actions.do_dispose(
            opinion,
            kind=payload.kind.value,
            explanation=payload.explanation,
            acting_user=request.user,
        )
    except ValidationError as exc:
        return _refused(request, exc)
    return Opinion.objects.select_related("version", "disposition__revised_in").get(pk=opinion.pk)


# Issuing ------------------------------------------------------------------------------------


@router.get(
    "/drafts/{draft_id}/issue",
    response=IssueStateOut,
    operation_id="get_draft_issue_state",
    summary="Ban hành được chưa: lý do còn vướng (kết luận, ý kiến chưa tiếp thu, lần trình)",
    openapi_extra=problems(404),
)
def issue_state(request: HttpRequest, draft_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    draft = _draft(request, draft_id)
    blocker = queries.issue_blocker(draft)
    return {
        "draft_id": draft.pk,
        "state": draft.state,
        "issuable": blocker is None,
        "blocker": blocker,
        "register_number": draft.register_entry.symbol if draft.register_entry_id else "",  # type: ignore[union-attr]
    }


@router.post(
    "/drafts/{draft_id}/issue",
    response={201: IssuedOut},
    operation_id="issue_draft",
    summary="Ban hành dự thảo với số kế tiếp của sổ đăng ký văn bản đi (chỉ Văn phòng)",
    openapi_extra=problems(403, 404, conflict=NUMBER_TAKEN),
)
def issue_draft(
    request: HttpRequest, payload: IssueIn, draft_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    draft = _draft(request, draft_id)
    access.check_can_issue(request.user)
    try:
        entry = actions.do_issue_draft(
            draft,
            issued_on=payload.issued_on,
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
    draft.refresh_from_db(fields=["issued_version"])
    return Status(
        201,
        {
            "draft_id": draft.pk,
            "version": draft.issued_version.number,  # type: ignore[union-attr]
            "doc_type": entry.doc_type,
            "number": entry.number,
            "symbol": entry.symbol,
            "issued_on": entry.issued_on,
            "signer_name": entry.signer_name,
        },
    )


# Meetings -----------------------------------------------------------------------------------


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return access.get_meeting_for_user(request.user, meeting_id)


def _with_follow_ups(items: list[AgendaItem], scope: Scope) -> list[AgendaItem]:
    """Each item's follow-ups, only those whose lead unit the caller sees (a Board member of a
    city committee never reads a unit outside it)."""
    for item in items:
        item.follow_up_list = [  # type: ignore[attr-defined]
            f for f in item.follow_ups.all() if scope.can_view(f.lead_unit)
        ]
    return items


def _meeting_detail(meeting: Meeting, scope: Scope) -> Meeting:
    meeting.attendance_list = list(  # type: ignore[attr-defined]
        meeting.attendance.select_related("person").order_by("id")
    )
    meeting.item_list = _with_follow_ups(  # type: ignore[attr-defined]
        list(queries.meeting_items(meeting.pk)), scope
    )
    return meeting


def _item(meeting: Meeting, item_id: int, scope: Scope) -> AgendaItem:
    item = queries.meeting_items(meeting.pk).filter(pk=item_id).first()
    if item is None:
        raise Http404("No agenda item matches the given query.")
    return _with_follow_ups([item], scope)[0]


def _person(scope: Scope, person_id: int, where: str, loc: tuple[str | int, ...]) -> Person:
    """A person the caller sees, or ``Invalid`` naming the field and the id only."""
    person = Person.objects.select_related("unit").filter(pk=person_id).first()
    if person is None or not scope.can_view(person.unit):
        raise Invalid(
            _("%(where)s: không có người mã số %(id)s.") % {"where": where, "id": person_id}, loc
        )
    return person


def _unit(scope: Scope, unit_id: int, where: str, loc: tuple[str | int, ...]) -> Unit:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not scope.can_view(unit):
        raise Invalid(
            _("%(where)s: không có đơn vị mã số %(id)s.") % {"where": where, "id": unit_id}, loc
        )
    return unit


@router.get(
    "/meetings/",
    response=list[MeetingOut],
    operation_id="list_meetings",
    summary="Các phiên họp Ban Thường vụ (Văn phòng và Ủy viên Ban Thường vụ), mới nhất trước",
    openapi_extra=problems(),
)
@paginate(Pagination)
def list_meetings(request: HttpRequest) -> Any:
    reject_unknown_params(request, PAGINATION_PARAMS)
    return access.meetings_for(scope_for(request.user))


@router.post(
    "/meetings/",
    response={201: MeetingDetailOut},
    operation_id="create_meeting",
    summary="Lên lịch một phiên họp: ngày, chủ trì, thành phần có mặt, vắng (có lý do)",
    openapi_extra=problems(403, 404),
)
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    reject_unknown_params(request, ())
    access.check_runs_meetings(request.user)
    scope = scope_for(request.user)
    body = get_unit_for_user(request.user, payload.body_unit_id)
    try:
        presiding = (
            _person(
                scope,
                payload.presiding_person_id,
                _("Chủ trì (presiding_person_id)"),
                ("body", "payload", "presiding_person_id"),
            )
            if payload.presiding_person_id is not None
            else None
        )
        members = [
            actions.MemberSpec(
                _person(
                    scope,
                    member.person_id,
                    _("Thành phần thứ %(n)s (members[%(i)s].person_id)") % {"n": i + 1, "i": i},
                    ("body", "payload", "members", i, "person_id"),
                ),
                present=member.present,
                absence_reason=member.absence_reason,
            )
            for i, member in enumerate(payload.members)
        ]
        meeting = actions.do_create_meeting(
            body=body,
            date=payload.date,
            title=payload.title,
            presiding=presiding,
            members=members,
            guests=payload.guests,
            acting_user=request.user,
        )
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        return _refused(request, exc)
    return Status(201, _meeting_detail(_meeting(request, meeting.pk), scope))


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingDetailOut,
    operation_id="get_meeting",
    summary="Một phiên họp: thành phần, các nội dung, kết luận và việc giao",
    openapi_extra=problems(404),
)
def get_meeting(request: HttpRequest, meeting_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    return _meeting_detail(_meeting(request, meeting_id), scope_for(request.user))


@router.post(
    "/meetings/{meeting_id}/items",
    response={201: ItemOut},
    operation_id="add_meeting_item",
    summary="Đưa lần trình mới nhất của một dự thảo vào chương trình phiên họp",
    openapi_extra=problems(403, 404),
)
def add_item(
    request: HttpRequest, payload: ItemIn, meeting_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    meeting = _meeting(request, meeting_id)
    access.check_runs_meetings(request.user)
    scope = scope_for(request.user)
    draft = access.drafts_for(scope).filter(pk=payload.draft_id).first()
    if draft is None:
        return unprocessable(
            request,
            _("Không có dự thảo mã số %(id)s (draft_id).") % {"id": payload.draft_id},
            ("body", "payload", "draft_id"),
        )
    try:
        item = actions.do_add_item(meeting, draft, acting_user=request.user)
    except ValidationError as exc:
        return _refused(request, exc)
    return Status(201, _item(meeting, item.pk, scope))


def _follow_up_spec(scope: Scope, i: int, spec: FollowUpIn) -> actions.FollowUpSpec:
    loc: tuple[str | int, ...] = ("body", "payload", "follow_ups", i)
    n = {"n": i + 1, "i": i}
    lead_unit = (
        _unit(
            scope,
            spec.lead_unit_id,
            _("Việc giao thứ %(n)s (follow_ups[%(i)s].lead_unit_id)") % n,
            (*loc, "lead_unit_id"),
        )
        if spec.lead_unit_id is not None
        else None
    )
    person = (
        _person(
            scope,
            spec.person_id,
            _("Việc giao thứ %(n)s (follow_ups[%(i)s].person_id)") % n,
            (*loc, "person_id"),
        )
        if spec.person_id is not None
        else None
    )
    return actions.FollowUpSpec(spec.what, lead_unit, person, spec.due_on)


@router.post(
    "/meetings/{meeting_id}/items/{item_id}/conclusion",
    response={201: ItemOut},
    operation_id="conclude_meeting_item",
    summary="Ghi kết luận của đồng chí chủ trì về một nội dung, kèm việc giao",
    openapi_extra=problems(403, 404),
)
def conclude_item(
    request: HttpRequest,
    payload: ConclusionIn,
    meeting_id: int = Path(..., ge=1, le=MAX_ID),
    item_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    reject_unknown_params(request, ())
    meeting = _meeting(request, meeting_id)
    scope = scope_for(request.user)
    item = _item(meeting, item_id, scope)
    access.check_runs_meetings(request.user)
    try:
        specs = [_follow_up_spec(scope, i, f) for i, f in enumerate(payload.follow_ups)]
        actions.do_conclude(
            item,
            conclusion=payload.conclusion,
            outcome=payload.outcome.value,
            follow_ups=specs,
            acting_user=request.user,
        )
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        return _refused(request, exc)
    return Status(201, _item(meeting, item.pk, scope))


@router.post(
    "/meetings/{meeting_id}/items/{item_id}/follow-ups",
    response={201: FollowUpDetailOut},
    operation_id="add_follow_up",
    summary="Giao thêm một việc theo kết luận đã ghi của một nội dung",
    openapi_extra=problems(403, 404),
)
def add_follow_up(
    request: HttpRequest,
    payload: FollowUpIn,
    meeting_id: int = Path(..., ge=1, le=MAX_ID),
    item_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    reject_unknown_params(request, ())
    meeting = _meeting(request, meeting_id)
    scope = scope_for(request.user)
    item = _item(meeting, item_id, scope)
    access.check_runs_meetings(request.user)
    try:
        spec = _follow_up_spec(scope, 0, payload)
        follow_up = actions.do_add_follow_up(item, spec, acting_user=request.user)
    except Invalid as exc:
        return unprocessable(request, exc.message, exc.loc)
    except ValidationError as exc:
        return _refused(request, exc)
    return Status(201, access.get_follow_up_for_user(request.user, follow_up.pk))


# Follow-ups ---------------------------------------------------------------------------------


def _follow_ups(scope: Scope) -> QuerySet[FollowUp]:
    return (
        access.follow_ups_for(scope)
        .select_related("lead_unit", "person", "item__meeting")
        .order_by("due_on", "id")
    )


# Registered before ``/follow-ups/{follow_up_id}`` so that "todo" is never read as an id.
@router.get(
    "/follow-ups/todo",
    response=list[FollowUpDetailOut],
    operation_id="list_my_follow_ups",
    summary="Việc cần làm của người dùng: việc giao chưa xong của các đơn vị mình, hạn gần trước",
    openapi_extra=problems(),
)
@paginate(Pagination)
def list_my_follow_ups(request: HttpRequest) -> Any:
    reject_unknown_params(request, PAGINATION_PARAMS)
    return queries.open_follow_ups(scope_for(request.user))


@router.get(
    "/follow-ups/",
    response=list[FollowUpDetailOut],
    operation_id="list_follow_ups",
    summary="Việc giao theo kết luận của các đơn vị trong phạm vi, lọc theo trạng thái, quá hạn",
    openapi_extra=problems(),
)
@paginate(Pagination)
def list_follow_ups(request: HttpRequest, filters: Query[FollowUpFilters]) -> Any:
    reject_unknown_params(request, ("state", "overdue", *PAGINATION_PARAMS))
    rows = _follow_ups(scope_for(request.user))
    if filters.state is not None:
        rows = rows.filter(state=filters.state.value)
    today = timezone.localdate()
    if filters.overdue is True:
        rows = rows.filter(state=FollowUpState.OPEN, due_on__lt=today)
    elif filters.overdue is False:
        rows = rows.exclude(state=FollowUpState.OPEN, due_on__lt=today)
    return rows


@router.get(
    "/follow-ups/{follow_up_id}",
    response=FollowUpDetailOut,
    operation_id="get_follow_up",
    summary="Một việc giao: nội dung, đơn vị chủ trì, người phụ trách, hạn, kết quả",
    openapi_extra=problems(404),
)
def get_follow_up(request: HttpRequest, follow_up_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    return access.get_follow_up_for_user(request.user, follow_up_id)


@router.post(
    "/follow-ups/{follow_up_id}/close",
    response=FollowUpDetailOut,
    operation_id="close_follow_up",
    summary="Đóng một việc giao với kết quả thực hiện (đơn vị chủ trì)",
    openapi_extra=problems(403, 404),
)
def close_follow_up(
    request: HttpRequest, payload: CloseIn, follow_up_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    reject_unknown_params(request, ())
    follow_up = access.get_follow_up_for_user(request.user, follow_up_id)
    access.check_can_close(request.user, follow_up)
    try:
        actions.do_close_follow_up(follow_up, note=payload.note, acting_user=request.user)
    except ValidationError as exc:
        return _refused(request, exc)
    return access.get_follow_up_for_user(request.user, follow_up_id)
