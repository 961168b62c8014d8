"""Standing Board meetings: the list, a new meeting (with its attendance), the meeting page
(agenda items with their drafts, conclusions and follow-ups), adding an item, concluding it,
a later follow-up, and the conclusion notice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhuy.documents.docx import DOCX_CONTENT_TYPE
from tinhuy.documents.responses import download
from tinhuy.meetings import access, actions, presenters, queries, reports
from tinhuy.meetings.forms import (
    AddItemForm,
    ConclusionForm,
    FollowUpForm,
    FollowUpFormSet,
    IssueForm,
    MeetingForm,
    unit_label,
)
from tinhuy.meetings.models import AgendaItem, Draft, DraftState, Meeting, MeetingState
from tinhuy.meetings.views.common import int_param
from tinhuy.org.access import get_unit_for_user, scope_for
from tinhuy.org.models import Person, Unit, UnitKind


def get_item_for_user(request: HttpRequest, item_id: int) -> AgendaItem:
    return access.get_item_for_user(request.user, item_id)


def _bodies() -> QuerySet[Unit]:
    """Committees whose Standing Board meets: a structure's root and the committees under it."""
    return (
        Unit.objects.filter(depth__lte=1)
        .exclude(kind=UnitKind.ADVISORY)
        .select_related("structure")
        .order_by("structure__code", "depth", "name_sort")
    )


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    meetings = access.meetings_for(scope).annotate(item_count=Count("items"))
    return render(
        request,
        "meetings/meeting_list.html",
        {"meetings": meetings[:200], "runs_meetings": scope.everything, "tab": "meetings"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    """A new meeting: first the committee (``?cap-uy=<id>``), then the date, the presiding
    person and who of the committee's people attended."""
    access.check_runs_meetings(request.user)
    body_id = int_param(request.POST.get("body") or request.GET.get("cap-uy"))
    if body_id is None:
        bodies = [(unit.pk, unit_label(unit)) for unit in _bodies()]
        return render(request, "meetings/meeting_form.html", {"bodies": bodies, "tab": "meetings"})
    body = get_unit_for_user(request.user, body_id)
    people = list(Person.objects.filter(unit=body).select_related("unit"))
    form = MeetingForm(request.POST if request.method == "POST" else None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = actions.do_create_meeting(
                body=body,
                date=data["date"],
                title=data["title"],
                presiding=data["presiding"],
                members=form.members(),
                guests=data["guests"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Đã tạo phiên họp ngày %(d)s.") % {"d": meeting.date.strftime("%d/%m/%Y")},
            )
            return redirect("meetings_meeting", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "body": body, "tab": "meetings"},
    )


def _meeting_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    add_form: AddItemForm | None = None,
) -> HttpResponse:
    scope = scope_for(request.user)
    today = timezone.localdate()
    items = queries.agenda(meeting.pk)
    follow_ups = queries.meeting_follow_ups(meeting.pk)
    cards = presenters.agenda_cards(items, follow_ups, today, runs_meetings=scope.everything)
    attendance = queries.attendance(meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "cards": cards,
        "present": [name for present, _reason, name in attendance if present],
        "absent": [(name, reason) for present, reason, name in attendance if not present],
        "runs_meetings": scope.everything,
        "tab": "meetings",
    }
    context["can_add"] = scope.everything and meeting.state != MeetingState.CLOSED
    if context["can_add"] and add_form is None:
        add_form = _add_form(meeting)
    context["add_form"] = add_form
    context["notice_entry"] = queries.notice_number(meeting)
    concluded = bool(items) and all(item.concluded_at for item in items)
    context["can_number_notice"] = scope.everything and not context["notice_entry"] and concluded
    return render(request, "meetings/meeting_detail.html", context)


def _add_form(meeting: Meeting) -> AddItemForm | None:
    """The form to put a draft on the agenda, or None when no draft waits for it (the page
    says so instead of offering an empty list). The waiting drafts' ids and titles are read
    once (a compiled read): the form's select shows them without reading them again."""
    candidates = queries.agenda_candidates(meeting.body_id, meeting.pk)
    if not candidates:
        return None
    form = AddItemForm(drafts=_agenda_candidates(meeting))
    field = cast(ModelChoiceField, form.fields["draft"])
    field.choices = [("", field.empty_label), *candidates]
    return form


def _agenda_candidates(
    meeting: Meeting, on_agenda: Iterable[int] | QuerySet[Any] | None = None
) -> QuerySet[Draft]:
    """Submitted drafts the meeting's committee issues that are not on its agenda yet.
    ``on_agenda``: the ids of the drafts on it when the page has read them already (cheaper
    than the join through the items, which took a millisecond to build)."""
    if on_agenda is None:
        on_agenda = meeting.items.values("draft_id")
    return (
        Draft.objects.filter(state=DraftState.SUBMITTED, issuing_unit_id=meeting.body_id)
        .exclude(pk__in=on_agenda)
        .order_by("title")
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.get_meeting_for_user(request.user, meeting_id)
    return _meeting_page(request, meeting)


@login_required
@require_POST
def meeting_add_item(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.get_meeting_for_user(request.user, meeting_id)
    access.check_runs_meetings(request.user)
    form = AddItemForm(request.POST, drafts=_agenda_candidates(meeting))
    if form.is_valid():
        try:
            item = actions.do_add_item(
                meeting, form.cleaned_data["draft"], acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã đưa “%(t)s” vào chương trình.") % {"t": item.draft.title}
            )
            return redirect(
                reverse("meetings_meeting", kwargs={"meeting_id": meeting.pk})
                + f"#noi-dung-{item.order}"
            )
    return _meeting_page(request, meeting, add_form=form)


def _assignable(item: AgendaItem) -> tuple[QuerySet[Unit], QuerySet[Person]]:
    """Lead units a conclusion assigns work to (the committee and the units right under it)
    and their people."""
    body = item.meeting.body
    units = (
        Unit.objects.filter(path__startswith=body.path, depth__lte=body.depth + 1)
        .select_related("structure")
        .order_by("depth", "name_sort")
    )
    people = (
        Person.objects.filter(unit__in=units)
        .select_related("unit")
        .order_by("unit__depth", "unit__name_sort", "name_sort")
    )
    return units, people


@login_required
@require_http_methods(["GET", "POST"])
def item_conclude(request: HttpRequest, item_id: int) -> HttpResponse:
    """The Secretary's conclusion on an item, its outcome and the work it assigns."""
    item = get_item_for_user(request, item_id)
    access.check_runs_meetings(request.user)
    if item.concluded_at is not None:
        messages.info(request, _("Nội dung này đã có kết luận."))
        return redirect("meetings_meeting", meeting_id=item.meeting_id)
    units, people = _assignable(item)
    data = request.POST if request.method == "POST" else None
    form = ConclusionForm(data)
    follow_ups = FollowUpFormSet(
        data, prefix="viec", form_kwargs={"units": units, "people": people}
    )
    if data is not None and form.is_valid() and follow_ups.is_valid():
        specs = [f.spec() for f in follow_ups if not f.is_blank()]
        try:
            actions.do_conclude(
                item,
                conclusion=form.cleaned_data["conclusion"],
                outcome=form.cleaned_data["outcome"],
                follow_ups=specs,
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi kết luận."))
            return redirect(
                reverse("meetings_meeting", kwargs={"meeting_id": item.meeting_id})
                + f"#noi-dung-{item.order}"
            )
    return render(
        request,
        "meetings/conclusion_form.html",
        {"item": item, "form": form, "follow_ups": follow_ups, "tab": "meetings"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_follow_up(request: HttpRequest, item_id: int) -> HttpResponse:
    """Work assigned after the conclusion was recorded."""
    item = get_item_for_user(request, item_id)
    access.check_runs_meetings(request.user)
    units, people = _assignable(item)
    form = FollowUpForm(
        request.POST if request.method == "POST" else None, units=units, people=people
    )
    if request.method == "POST" and form.is_valid():
        try:
            follow_up = actions.do_add_follow_up(item, form.spec(), acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã giao việc “%(w)s”.") % {"w": follow_up.what})
            return redirect(
                reverse("meetings_meeting", kwargs={"meeting_id": item.meeting_id})
                + f"#noi-dung-{item.order}"
            )
    return render(
        request,
        "meetings/follow_up_form.html",
        {"item": item, "form": form, "tab": "meetings"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_issue_notice(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The office numbers the conclusion notice in the committee's register."""
    meeting = access.get_meeting_for_user(request.user, meeting_id)
    access.check_can_issue(request.user)
    if request.method == "GET":
        form = IssueForm(
            initial={
                "issued_on": timezone.localdate().strftime("%d/%m/%Y"),
                "signer_position": "CHÁNH VĂN PHÒNG",
                "authority": "T/L BAN THƯỜNG VỤ",
            }
        )
    else:
        form = IssueForm(request.POST)
        if form.is_valid():
            try:
                entry = actions.do_issue_notice(
                    meeting, **form.signature(), acting_user=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Đã cấp số %(s)s cho thông báo kết luận.") % {"s": entry.symbol}
                )
                return redirect("meetings_meeting", meeting_id=meeting.pk)
    context = {"meeting": meeting, "form": form, "tab": "meetings"}
    return render(request, "meetings/notice_form.html", context)


@login_required
@require_GET
def meeting_notice_docx(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The conclusion notice ("Thông báo kết luận của Ban Thường vụ") in the Party format."""
    meeting = access.get_meeting_for_user(request.user, meeting_id)
    with translation.override("vi"):
        content = reports.conclusion_notice_docx(meeting)
    return download(content, f"thong-bao-ket-luan-{meeting.date:%Y-%m-%d}.docx", DOCX_CONTENT_TYPE)


urlpatterns: list[URLPattern] = [
    path("phien-hop/", meeting_list, name="meetings_meetings"),
    path("phien-hop/moi/", meeting_create, name="meetings_meeting_create"),
    path("phien-hop/<int:meeting_id>/", meeting_detail, name="meetings_meeting"),
    path(
        "phien-hop/<int:meeting_id>/them-noi-dung/",
        meeting_add_item,
        name="meetings_meeting_add_item",
    ),
    path(
        "phien-hop/<int:meeting_id>/cap-so-thong-bao/",
        meeting_issue_notice,
        name="meetings_meeting_issue_notice",
    ),
    path(
        "phien-hop/<int:meeting_id>/thong-bao-ket-luan.docx",
        meeting_notice_docx,
        name="meetings_meeting_notice",
    ),
    path("noi-dung/<int:item_id>/ket-luan/", item_conclude, name="meetings_item_conclude"),
    path("noi-dung/<int:item_id>/giao-viec/", item_follow_up, name="meetings_item_follow_up"),
]
