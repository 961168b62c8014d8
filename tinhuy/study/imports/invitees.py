"""The guest list of a conference, pasted as lines (``tinhuy.study.forms.InviteesForm`` reads
them into ``InviteeSpec`` rows), added by ``do_add_invitees``: all rows or none.

The action's problems come back as row/column errors like every other import's, capped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from tinhuy.documents.tables import Column, RowError, capped, file_error
from tinhuy.study.actions import InviteeSpec, ProblemsError, do_add_invitees
from tinhuy.study.imports.common import problem_errors
from tinhuy.study.models import Conference, Invitee

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

# The columns of a pasted line, in their order (Họ và tên; Chức vụ; Đơn vị).
INVITEE_COLUMNS = (
    Column("full_name", "Họ và tên"),
    Column("position", "Chức vụ"),
    Column("organisation", "Đơn vị"),
)


@dataclass(frozen=True)
class InviteesImport:
    added: list[Invitee]
    errors: list[RowError]


def import_invitees(
    conference: Conference, specs: Sequence[InviteeSpec], *, acting_user: AnyUser
) -> InviteesImport:
    """Add the rows to the conference's invitation list, all or none."""
    try:
        added = do_add_invitees(conference, specs, acting_user=acting_user)
    except ProblemsError as exc:
        return InviteesImport([], capped(problem_errors(exc.problems, INVITEE_COLUMNS)))
    except ValidationError as exc:  # the conference itself: cancelled
        return InviteesImport([], capped([e for m in exc.messages for e in file_error(m)]))
    return InviteesImport(added, [])
