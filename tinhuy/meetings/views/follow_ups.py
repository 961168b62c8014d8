"""Follow-ups: the list of those the user sees (open, done, overdue) and a follow-up's page with
the form that closes it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhuy.meetings import access, actions, queries
from tinhuy.meetings.forms import CloseForm
from tinhuy.meetings.models import FollowUpState
from tinhuy.org.access import scope_for

PAGE_SIZE = 50
FILTERS = {"": None, "dang-lam": "open", "qua-han": "overdue", "xong": "done"}


@login_required
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """Follow-ups whose lead unit the user sees: all, open, overdue or done; soonest due
    first."""
    status = request.GET.get("trang-thai", "")
    if status not in FILTERS:
        status = ""
    today = timezone.localdate()
    follow_ups = (
        access.follow_ups_for(scope_for(request.user))
        .select_related("lead_unit", "person", "item__meeting", "item__draft")
        .order_by("state", "due_on", "id")
    )
    kind = FILTERS[status]
    if kind == "open":
        follow_ups = follow_ups.filter(state=FollowUpState.OPEN)
    elif kind == "overdue":
        follow_ups = follow_ups.filter(state=FollowUpState.OPEN, due_on__lt=today)
    elif kind == "done":
        follow_ups = follow_ups.filter(state=FollowUpState.DONE).order_by("-closed_at", "-id")
    page = Paginator(follow_ups, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = [(f, queries.is_overdue(f, today)) for f in page.object_list]
    return render(
        request,
        "meetings/follow_up_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "filters": [
                ("", _("Tất cả")),
                ("dang-lam", _("Đang thực hiện")),
                ("qua-han", _("Quá hạn")),
                ("xong", _("Đã hoàn thành")),
            ],
            "tab": "follow_ups",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_detail(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """A follow-up, and for its lead unit's office the form that closes it with a note."""
    follow_up = access.get_follow_up_for_user(request.user, follow_up_id)
    try:
        access.check_can_close(request.user, follow_up)
        can_close = follow_up.state == FollowUpState.OPEN
    except PermissionDenied:
        if request.method == "POST":
            raise
        can_close = False
    form = CloseForm(request.POST if request.method == "POST" else None) if can_close else None
    if request.method == "POST":
        if form is None:
            messages.info(request, _("Việc này đã hoàn thành."))
            return redirect("meetings_follow_up", follow_up_id=follow_up.pk)
        if form.is_valid():
            try:
                actions.do_close_follow_up(
                    follow_up, note=form.cleaned_data["note"], acting_user=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã đóng việc “%(w)s”.") % {"w": follow_up.what})
                return redirect("meetings_follow_up", follow_up_id=follow_up.pk)
    return render(
        request,
        "meetings/follow_up_detail.html",
        {
            "follow_up": follow_up,
            "overdue": queries.is_overdue(follow_up),
            "form": form,
            "sees_meeting": access.sees_meeting(request.user, follow_up.item.meeting_id),
            "tab": "follow_ups",
        },
    )


urlpatterns: list[URLPattern] = [
    path("viec-duoc-giao/", follow_up_list, name="meetings_follow_ups"),
    path("viec-duoc-giao/<int:follow_up_id>/", follow_up_detail, name="meetings_follow_up"),
]
