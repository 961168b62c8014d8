"""What a draft writes when it is more than free text: a study plan, a programme.

The meeting machinery (versions, opinions, dispositions, conclusions, issuing) is the same for
every draft. A kind whose content lives in a module of its own registers a ``Subject`` here
(from its app's ``ready``), and the actions ask it, at the moments that matter:

- ``snapshot`` / ``text``: what a submitted version freezes, as data (to compare versions by)
  and as the numbered text the Board comments on;
- ``blockers``: what is missing before the draft may be submitted or issued (a programme's
  completeness gate); an empty list lets it through;
- ``issue``: issue the object itself with a register number (a study plan takes its "KH"
  number through ``study.actions.do_issue_plan``); None lets the draft take one;
- ``synced``: the draft's state changed; the object follows (a programme's own state).

The meetings module imports no module that registers a subject, so none of them has to import
the meetings actions lazily.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from tinhuy.meetings.models import Draft
    from tinhuy.register.models import RegisterEntry


@dataclass(frozen=True)
class Issuing:
    """How a document is issued: its date, who signs for which authority, who receives it,
    and a number chosen by hand (with the reason) instead of the register's next."""

    issued_on: datetime.date
    signer_name: str
    signer_position: str = "BÍ THƯ"
    authority: str = "T/M BAN THƯỜNG VỤ"
    recipients: str = ""
    number: int | None = None
    reason: str = ""

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "issued_on": self.issued_on,
            "signer_name": self.signer_name,
            "signer_position": self.signer_position,
            "authority": self.authority,
            "recipients": self.recipients,
            "number": self.number,
            "reason": self.reason,
        }


class Subject(Protocol):
    kind: str
    # Said when someone tries to type the text of such a draft: it is written elsewhere
    # (a lazy translation, so it is said in the reader's language).
    written_elsewhere: Any

    def snapshot(self, draft: Draft) -> dict[str, Any] | None: ...

    def text(self, snapshot: dict[str, Any]) -> str: ...

    def blockers(self, draft: Draft) -> list[str]: ...

    def issue(
        self, draft: Draft, issuing: Issuing, *, acting_user: User | AnonymousUser
    ) -> RegisterEntry | None: ...

    def synced(self, draft: Draft) -> None: ...


_SUBJECTS: dict[str, Subject] = {}


def register(subject: Subject) -> None:
    _SUBJECTS[subject.kind] = subject


def subject_for(draft: Draft) -> Subject | None:
    return _SUBJECTS.get(draft.kind)
