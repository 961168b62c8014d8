"""The invitation list of a conference and check-in at the door by QR code.

Each invitee's card carries a QR code of the check-in URL (``/hoc-tap/diem-danh/<token>/``).
The officer at the door, logged in and in charge of the host unit, scans it with the phone's
camera: the page shows who it is, and one tap records the arrival. Opening the URL writes
nothing; only the button (POST) does, once.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhuy.org.access import scope_for
from tinhuy.study.access import (
    get_conference_for_change,
    get_conference_for_user,
    get_invitee_for_user,
)
from tinhuy.study.actions import do_check_in
from tinhuy.study.forms import InviteesForm
from tinhuy.study.imports.invitees import import_invitees
from tinhuy.study.models import Invitee


@login_required
@require_http_methods(["GET", "POST"])
def invitees(request: HttpRequest, conference_id: int) -> HttpResponse:
    """The list with who has arrived; the host's officers add people to it."""
    conference = get_conference_for_user(request.user, conference_id)
    can_change = scope_for(request.user).can_change(conference.host)
    form = InviteesForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            result = import_invitees(conference, form.specs, acting_user=request.user)
            errors = [e.message for e in result.errors]
            if not errors:
                added = len(result.added)
                messages.success(request, _("Đã thêm %(n)s khách mời.") % {"n": added})
                return redirect("study_invitees", conference_id=conference.pk)
    rows = list(conference.invitees.select_related("checked_in_by"))
    context = {
        "conference": conference,
        "plan": conference.plan,
        "invitees": rows,
        "arrived": sum(1 for i in rows if i.checked_in_at),
        "form": form,
        "errors": errors,
        "can_change": can_change,
    }
    status = 400 if errors or form.errors else 200
    return render(request, "study/invitees.html", context, status=status)


@dataclass(frozen=True)
class Card:
    invitee: Invitee
    url: str
    qr_svg: SafeString


def qr_svg(url: str) -> SafeString:
    """The QR code of ``url`` as inline SVG (segno writes only its own markup)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, title=url)
    return mark_safe(svg)  # noqa: S308


@login_required
@require_GET
def invitee_cards(request: HttpRequest, conference_id: int) -> HttpResponse:
    """Printable cards, one per invitee, each with its QR code (the host's officers only: the
    codes are the door's check-in links)."""
    conference = get_conference_for_change(request.user, conference_id)
    cards = []
    for invitee in conference.invitees.all():
        url = request.build_absolute_uri(reverse("study_check_in", args=[invitee.token]))
        cards.append(Card(invitee, url, qr_svg(url)))
    return render(
        request,
        "study/invitee_cards.html",
        {"conference": conference, "plan": conference.plan, "cards": cards},
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, token: str) -> HttpResponse:
    """What the door's phone opens: who this is and a button to record the arrival."""
    invitee = get_invitee_for_user(request.user, token)
    conference = invitee.conference
    can_change = scope_for(request.user).can_change(conference.host)
    error = ""
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        try:
            first_time = do_check_in(invitee, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if first_time:
                messages.success(
                    request, _("Đã ghi có mặt: %(name)s.") % {"name": invitee.full_name}
                )
            return redirect("study_check_in", token=token)
    context = {
        "invitee": invitee,
        "conference": conference,
        "plan": conference.plan,
        "can_change": can_change,
        "error": error,
    }
    return render(request, "study/check_in.html", context, status=400 if error else 200)


urlpatterns = [
    path("hoi-nghi/<int:conference_id>/khach-moi/", invitees, name="study_invitees"),
    path("hoi-nghi/<int:conference_id>/khach-moi/the/", invitee_cards, name="study_invitee_cards"),
    path("diem-danh/<str:token>/", check_in, name="study_check_in"),
]
