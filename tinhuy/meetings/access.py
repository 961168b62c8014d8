"""Who sees and does what with drafts, meetings and follow-ups (on top of
``tinhuy.org.access``).

A draft is seen by the province office, the Board members of its issuing committee and the body
that submits it — nobody else, whatever their scope (a city office does not read the province's
drafts). Board members give opinions; only the submitting body itself (a change role held at
that very unit) answers them; the province office runs meetings, records conclusions and issues.
A follow-up is seen by whoever sees its lead unit and closed by that unit's office. Outside
what a user sees is 404, as everywhere; seen but not theirs to do is 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from tinhuy.meetings.models import AgendaItem, Draft, FollowUp, Meeting, Opinion
from tinhuy.org.access import CHANGE_ROLES, Scope, scope_for
from tinhuy.org.models import Membership, Role

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser


def is_board_member(scope: Scope) -> bool:
    return Role.BOARD_MEMBER in scope.roles


def drafts_for(scope: Scope) -> QuerySet[Draft]:
    """The drafts a user may read."""
    drafts = Draft.objects.select_related("submitting_unit", "issuing_unit")
    if scope.everything:
        return drafts
    seen = scope.q("submitting_unit__")
    if is_board_member(scope):
        seen |= scope.q("issuing_unit__")
    return drafts.filter(seen)


def get_draft_for_user(user: AnyUser, draft_id: int) -> Draft:
    draft = drafts_for(scope_for(user)).filter(pk=draft_id).first()
    if draft is None:
        raise Http404("No draft matches the given query.")
    return draft


def is_submitting_body(user: AnyUser, draft: Draft) -> bool:
    """Holds a change role at the submitting unit itself (the body answers for its draft)."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user_id=user.pk, unit_id=draft.submitting_unit_id, role__in=CHANGE_ROLES
    ).exists()


def check_can_write(user: AnyUser, draft: Draft) -> None:
    """Write the text and submit versions: the submitting body, or the province office."""
    if not (scope_for(user).everything or is_submitting_body(user, draft)):
        raise PermissionDenied


def check_can_dispose(user: AnyUser, draft: Draft) -> None:
    if not is_submitting_body(user, draft):
        raise PermissionDenied


def check_can_opine(user: AnyUser, draft: Draft) -> None:
    scope = scope_for(user)
    if not (is_board_member(scope) and scope.can_view(draft.issuing_unit)):
        raise PermissionDenied


def check_runs_meetings(user: AnyUser) -> None:
    if not scope_for(user).everything:
        raise PermissionDenied


def meetings_for(scope: Scope) -> QuerySet[Meeting]:
    """Meetings of the committees whose Board a user sits on, or all for the province office."""
    meetings = Meeting.objects.select_related("body", "presiding")
    if scope.everything:
        return meetings
    if is_board_member(scope):
        return meetings.filter(scope.q("body__"))
    return meetings.none()


def get_meeting_for_user(user: AnyUser, meeting_id: int) -> Meeting:
    meeting = meetings_for(scope_for(user)).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No meeting matches the given query.")
    return meeting


def get_item_for_user(user: AnyUser, item_id: int) -> AgendaItem:
    """An agenda item of a meeting the user sees (404 otherwise)."""
    item = (
        AgendaItem.objects.select_related(
            "meeting__body__structure", "draft__submitting_unit", "version"
        )
        .filter(pk=item_id, meeting__in=meetings_for(scope_for(user)))
        .first()
    )
    if item is None:
        raise Http404("No agenda item matches the given query.")
    return item


def sees_meeting(user: AnyUser, meeting_id: int) -> bool:
    return meetings_for(scope_for(user)).filter(pk=meeting_id).exists()


def check_can_issue(user: AnyUser) -> None:
    """Issuing (a draft, a conclusion notice) is the province office's."""
    check_runs_meetings(user)


def get_opinion_for_user(user: AnyUser, opinion_id: int) -> Opinion:
    opinion = Opinion.objects.select_related("version__draft").filter(pk=opinion_id).first()
    if opinion is None or not drafts_for(scope_for(user)).filter(pk=opinion.version.draft_id):
        raise Http404("No opinion matches the given query.")
    return opinion


def follow_ups_for(scope: Scope) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(scope.q("lead_unit__"))


def get_follow_up_for_user(user: AnyUser, follow_up_id: int) -> FollowUp:
    follow_up = (
        follow_ups_for(scope_for(user))
        .select_related("lead_unit", "person", "item__meeting")
        .filter(pk=follow_up_id)
        .first()
    )
    if follow_up is None:
        raise Http404("No follow-up matches the given query.")
    return follow_up


def check_can_close(user: AnyUser, follow_up: FollowUp) -> None:
    if not scope_for(user).can_change(follow_up.lead_unit):
        raise PermissionDenied
