"""Writes of the meetings module: drafts, versions, meetings, opinions, dispositions,
conclusions and follow-ups. Each is one transaction with its audit event; each checks what the
issue's bad input lists and answers in Vietnamese, writing nothing."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.accounts.names import full_name
from tinhuy.audit.actions import record, user_or_none
from tinhuy.documents.storage import keep_file
from tinhuy.meetings import reminders
from tinhuy.meetings.models import (
    AgendaItem,
    Attendance,
    Disposition,
    DispositionKind,
    Draft,
    DraftAttachment,
    DraftKind,
    DraftState,
    DraftVersion,
    FollowUp,
    FollowUpState,
    Meeting,
    MeetingState,
    Opinion,
    Outcome,
)
from tinhuy.meetings.queries import (
    concluded_item,
    issue_blocker,
    latest_version,
    notice_entry,
    unanswered,
)
from tinhuy.meetings.reports import notice_summary, party_body
from tinhuy.meetings.subjects import Issuing, subject_for
from tinhuy.org.access import scope_for
from tinhuy.org.models import Person, Unit
from tinhuy.register.actions import do_issue
from tinhuy.register.models import DocType, RegisterEntry
from tinhuy.register.queries import register_of
from tinhuy.reminders import EVERYTHING, send_after_commit
from tinhuy.search.text import normalize

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser
    from tinhuy.study.models import Plan

# Drafts -------------------------------------------------------------------------------------

_OPEN_STATES = (DraftState.WRITING, DraftState.REVISING)


@transaction.atomic
def do_create_draft(
    *,
    kind: str,
    title: str,
    doc_type: str,
    submitting_unit: Unit,
    issuing_unit: Unit,
    text: str = "",
    plan: Plan | None = None,
    is_sample: bool = False,
    acting_user: AnyUser,
) -> Draft:
    title = normalize(title).strip()
    if not title:
        raise ValidationError(_("Dự thảo cần có tên."))
    if kind not in DraftKind.values:
        raise ValidationError(_("Không có loại dự thảo “%(kind)s”.") % {"kind": kind})
    if kind == DraftKind.STUDY_PLAN:
        from tinhuy.study.models import PlanState

        if plan is None:
            raise ValidationError(_("Dự thảo kế hoạch cần có kế hoạch."))
        if plan.state != PlanState.DRAFT:
            raise ValidationError(_("Kế hoạch đã ban hành; không trình lại như một dự thảo."))
        if Draft.objects.filter(plan=plan).exists():
            raise ValidationError(_("Kế hoạch này đã có dự thảo."))
    elif plan is not None:
        raise ValidationError(_("Chỉ dự thảo kế hoạch học tập mới gắn với một kế hoạch."))
    draft = Draft.objects.create(
        kind=kind,
        title=title,
        doc_type=doc_type,
        submitting_unit=submitting_unit,
        issuing_unit=issuing_unit,
        plan=plan,
        text=text,
        created_by=user_or_none(acting_user),
        is_sample=is_sample,
    )
    record(
        "draft.create",
        draft,
        acting_user=acting_user,
        unit=submitting_unit,
        after={"kind": kind, "title": title, "doc_type": doc_type, "plan": plan and plan.pk},
    )
    return draft


def _lock(draft: Draft) -> Draft:
    """The draft's row, locked where rows can be (SQLite's IMMEDIATE transactions already hold
    the one write lock), and re-read: the state checks below see the latest."""
    return Draft.objects.select_for_update().get(pk=draft.pk)


@transaction.atomic
def do_save_text(draft: Draft, *, text: str, acting_user: AnyUser) -> Draft:
    """The text being written for the next version (a free-text draft)."""
    locked = _lock(draft)
    subject = subject_for(locked)
    if subject is not None:
        raise ValidationError(str(subject.written_elsewhere))
    if locked.state not in _OPEN_STATES:
        raise ValidationError(
            _("Dự thảo đang ở trạng thái “%(state)s”; không sửa được nội dung.")
            % {"state": locked.get_state_display()}
        )
    new_text = _text(text)
    if not new_text and locked.text:
        # An empty form (a lost field, a stale tab) would wipe what was written: refused.
        raise ValidationError(
            _(
                "Nội dung gửi lên trống; nội dung đang viết (%(n)s ký tự) được giữ nguyên. Muốn "
                "bỏ nội dung, hãy rút dự thảo."
            )
            % {"n": len(locked.text)}
        )
    locked.text = new_text
    locked.save(update_fields=["text"])
    record("draft.text", locked, acting_user=acting_user, unit=locked.submitting_unit)
    return locked


def _set_state(draft: Draft, state: str) -> None:
    """Move the draft to ``state``; what it writes (a programme) follows."""
    draft.state = state
    draft.save(update_fields=["state"])
    subject = subject_for(draft)
    if subject is not None:
        subject.synced(draft)


def _check_complete(missing: Sequence[str]) -> None:
    """Refuse a draft whose content is incomplete, saying every missing piece."""
    if missing:
        raise ValidationError(
            [_("Dự thảo chưa đủ nội dung để trình, ban hành:"), *missing], code="incomplete"
        )


def _text(value: str) -> str:
    """Typed text with one kind of line break (a browser sends CR LF) and no edge blanks."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def do_submit_version(
    draft: Draft, *, note: str = "", at: datetime.datetime | None = None, acting_user: AnyUser
) -> DraftVersion:
    """Freeze the text being written as the next numbered version. A plan draft freezes its
    plan (title, source, topics, rules) as text and as data. Not while an opinion on the
    previous version is unanswered. ``at``: when it was submitted, for the record of a past
    meeting (the demo); now by default (the audit event is always stamped now)."""
    locked = _lock(draft)
    previous = latest_version(locked)
    waiting = unanswered(previous) if previous is not None else 0
    if waiting and previous is not None:
        raise ValidationError(
            _(
                "Còn %(n)s ý kiến góp ý vào lần trình %(v)s chưa được tiếp thu, giải trình; "
                "hãy trả lời hết rồi trình lần mới."
            )
            % {"n": waiting, "v": previous.number}
        )
    if locked.state not in _OPEN_STATES:
        raise ValidationError(
            _("Dự thảo đang ở trạng thái “%(state)s”; không trình được lần mới.")
            % {"state": locked.get_state_display()}
        )
    subject = subject_for(locked)
    snapshot = None
    if subject is not None:
        _check_complete(subject.blockers(locked))
        snapshot = subject.snapshot(locked)
    text = subject.text(snapshot) if subject and snapshot is not None else locked.text.strip()
    if not text:
        raise ValidationError(_("Dự thảo chưa có nội dung."))
    version = DraftVersion.objects.create(
        draft=locked,
        number=(previous.number + 1) if previous else 1,
        text=text,
        plan_snapshot=snapshot,
        note=note,
        submitted_by=user_or_none(acting_user),
        submitted_at=at or timezone.now(),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    if previous is not None:
        # What was accepted, in whole or in part, is in this version.
        Disposition.objects.filter(
            opinion__version=previous,
            kind__in=(DispositionKind.ACCEPTED, DispositionKind.PARTLY),
            revised_in__isnull=True,
        ).update(revised_in=version)
    _set_state(locked, DraftState.SUBMITTED)
    record(
        "draft.submit",
        locked,
        acting_user=acting_user,
        unit=locked.submitting_unit,
        after={"version": version.number, "lines": len(version.lines()), "sha256": version.sha256},
    )
    return version


@transaction.atomic
def do_attach(
    draft: Draft, *, name: str, content: bytes, content_type: str, acting_user: AnyUser
) -> DraftAttachment:
    """Attach a document to the draft being written (its type and size checked by the upload
    form); the next version submitted carries it."""
    locked = _lock(draft)
    if locked.state not in _OPEN_STATES:
        raise ValidationError(
            _("Dự thảo đang ở trạng thái “%(state)s”; không thêm tài liệu được.")
            % {"state": locked.get_state_display()}
        )
    attachment = keep_file(
        DraftAttachment(draft=locked),
        name=name,
        content=content,
        content_type=content_type,
        uploaded_by=user_or_none(acting_user),
    )
    record(
        "draft.attach",
        locked,
        acting_user=acting_user,
        unit=locked.submitting_unit,
        after={"attachment": attachment.pk, "name": attachment.name, "size": attachment.size},
    )
    return attachment


@transaction.atomic
def do_remove_attachment(attachment: DraftAttachment, *, acting_user: AnyUser) -> None:
    """Take a document off the draft being written. The versions already submitted with it
    keep it (the file stays)."""
    locked = _lock(attachment.draft)
    if locked.state not in _OPEN_STATES:
        raise ValidationError(_("Dự thảo không còn đang soạn; không bỏ tài liệu được."))
    if attachment.removed_at is not None:
        raise ValidationError(_("Tài liệu này đã được bỏ."))
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    record(
        "draft.detach",
        locked,
        acting_user=acting_user,
        unit=locked.submitting_unit,
        after={"attachment": attachment.pk, "name": attachment.name},
    )


# Meetings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSpec:
    person: Person
    present: bool = True
    absence_reason: str = ""


@transaction.atomic
def do_create_meeting(
    *,
    body: Unit,
    date: datetime.date,
    title: str = "",
    presiding: Person | None = None,
    members: Sequence[MemberSpec] = (),
    guests: str = "",
    is_sample: bool = False,
    acting_user: AnyUser,
) -> Meeting:
    seen: set[int] = set()
    for member in members:
        if presiding is not None and member.person.pk == presiding.pk and not member.present:
            raise ValidationError(
                _("Đồng chí %(name)s chủ trì phiên họp nên không thể vắng mặt.")
                % {"name": presiding.full_name}
            )
        if member.person.pk in seen:
            raise ValidationError(
                _("%(name)s có tên hai lần trong thành phần dự họp.")
                % {"name": member.person.full_name}
            )
        seen.add(member.person.pk)
        if not member.present and not member.absence_reason.strip():
            raise ValidationError(
                _("Đồng chí %(name)s vắng: hãy ghi lý do vắng.") % {"name": member.person.full_name}
            )
    meeting = Meeting.objects.create(
        body=body,
        date=date,
        title=title,
        presiding=presiding,
        guests=guests,
        is_sample=is_sample,
    )
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            person=m.person,
            present=m.present,
            absence_reason="" if m.present else m.absence_reason.strip(),
        )
        for m in members
    )
    record(
        "meeting.create",
        meeting,
        acting_user=acting_user,
        unit=body,
        after={
            "date": date.isoformat(),
            "presiding": presiding and presiding.full_name,
            "present": sum(m.present for m in members),
            "absent": sum(not m.present for m in members),
        },
    )
    return meeting


@transaction.atomic
def do_add_item(meeting: Meeting, draft: Draft, *, acting_user: AnyUser) -> AgendaItem:
    """Put a draft's latest submitted version on a meeting's agenda, after the items there."""
    if meeting.state == MeetingState.CLOSED:
        raise ValidationError(_("Phiên họp đã kết thúc; không thêm nội dung được."))
    locked = _lock(draft)
    version = latest_version(locked)
    if locked.state != DraftState.SUBMITTED or version is None:
        raise ValidationError(_("Chỉ đưa vào phiên họp được dự thảo đã trình."))
    if meeting.items.filter(draft=locked).exists():
        raise ValidationError(_("Dự thảo này đã có trong chương trình phiên họp."))
    order = (meeting.items.aggregate(n=Max("order"))["n"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, order=order, draft=locked, version=version)
    record(
        "meeting.item",
        meeting,
        acting_user=acting_user,
        unit=meeting.body,
        after={"order": order, "draft": locked.pk, "version": version.number},
    )
    return item


# Opinions and dispositions ------------------------------------------------------------------


@transaction.atomic
def do_give_opinion(
    version: DraftVersion,
    *,
    text: str,
    line_from: int | None = None,
    line_to: int | None = None,
    proposed_text: str = "",
    author_name: str = "",
    is_sample: bool = False,
    acting_user: AnyUser,
) -> Opinion:
    """A Board member's opinion on the version under discussion, on a range of its lines (or
    on the whole draft), optionally with the wording proposed."""
    draft = _lock(version.draft)
    latest = latest_version(draft)
    if draft.state in (DraftState.ISSUED, DraftState.WITHDRAWN):
        raise ValidationError(
            _("Dự thảo %(state)s; không góp ý được nữa.")
            % {"state": draft.get_state_display().lower()}
        )
    if latest is None or latest.pk != version.pk:
        raise ValidationError(
            _(
                "Lần trình %(v)s đã được thay bằng lần trình %(latest)s; hãy góp ý vào lần trình "
                "mới nhất."
            )
            % {"v": version.number, "latest": latest.number if latest else "—"}
        )
    if draft.state != DraftState.SUBMITTED:
        raise ValidationError(
            _("Dự thảo đang được tiếp thu, chỉnh sửa; góp ý khi cơ quan trình gửi lần trình mới.")
        )
    text = _text(text)
    if not text:
        raise ValidationError(_("Hãy ghi nội dung ý kiến."))
    if (line_from is None) != (line_to is None):
        raise ValidationError(_("Hãy ghi cả dòng bắt đầu và dòng kết thúc (hoặc để trống cả hai)."))
    quoted = ""
    if line_from is not None and line_to is not None:
        lines = version.lines()
        if line_from > line_to:
            raise ValidationError(
                _("Dòng bắt đầu (%(a)s) ở sau dòng kết thúc (%(b)s).")
                % {"a": line_from, "b": line_to}
            )
        if not 1 <= line_from <= line_to <= len(lines):
            raise ValidationError(
                _("Dòng %(a)s–%(b)s ở ngoài văn bản: lần trình %(v)s có %(n)s dòng.")
                % {"a": line_from, "b": line_to, "v": version.number, "n": len(lines)}
            )
        quoted = "\n".join(lines[line_from - 1 : line_to])
    user = user_or_none(acting_user)
    name = author_name or (full_name(user) if user else "")
    opinion = Opinion.objects.create(
        version=version,
        author=user,
        author_name=name,
        line_from=line_from,
        line_to=line_to,
        quoted_text=quoted,
        text=text,
        proposed_text=_text(proposed_text),
        is_sample=is_sample,
    )
    record(
        "draft.opinion",
        draft,
        acting_user=acting_user,
        unit=draft.submitting_unit,
        after={"version": version.number, "opinion": opinion.pk, "lines": [line_from, line_to]},
    )
    return opinion


@transaction.atomic
def do_dispose(
    opinion: Opinion, *, kind: str, explanation: str = "", acting_user: AnyUser
) -> Disposition:
    """The submitting body's answer to an opinion: accepted, partly, or not (with the reason).
    It may be changed until the next version is submitted, never after."""
    draft = _lock(opinion.version.draft)
    if kind not in DispositionKind.values:
        raise ValidationError(_("Không có cách tiếp thu “%(kind)s”.") % {"kind": kind})
    explanation = _text(explanation)
    if kind != DispositionKind.ACCEPTED and not explanation:
        raise ValidationError(_("Tiếp thu một phần hoặc không tiếp thu: hãy ghi giải trình."))
    latest = latest_version(draft)
    if (
        latest is None
        or latest.pk != opinion.version_id
        or draft.state
        in (
            DraftState.ISSUED,
            DraftState.WITHDRAWN,
        )
    ):
        raise ValidationError(
            _("Ý kiến này thuộc lần trình đã khép lại; không sửa được việc tiếp thu.")
        )
    existing = Disposition.objects.filter(opinion=opinion).first()
    before = None
    if existing is None:
        disposition = Disposition(opinion=opinion)
    else:
        disposition = existing
        before = {"kind": existing.kind, "explanation": existing.explanation}
    disposition.kind, disposition.explanation = kind, explanation
    disposition.decided_by = user_or_none(acting_user)
    disposition.save()
    if draft.state == DraftState.SUBMITTED:
        _set_state(draft, DraftState.REVISING)
    record(
        "draft.disposition",
        draft,
        acting_user=acting_user,
        unit=draft.submitting_unit,
        before=before,
        after={"opinion": opinion.pk, "kind": kind, "explanation": explanation},
    )
    return disposition


# Conclusions and follow-ups -----------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpSpec:
    what: str
    lead_unit: Unit | None
    person: Person | None
    due_on: datetime.date | None


def _checked(
    spec: FollowUpSpec, meeting_date: datetime.date
) -> tuple[str, Unit, Person, datetime.date]:
    """A follow-up's what, lead unit, named person and due date, each required; the work is
    due after the meeting that assigns it."""
    what = spec.what.strip()
    if not what:
        raise ValidationError(_("Việc giao cần có nội dung."))
    if spec.lead_unit is None:
        raise ValidationError(_("Việc “%(what)s” chưa có đơn vị chủ trì.") % {"what": what})
    if spec.person is None:
        raise ValidationError(_("Việc “%(what)s” chưa có người phụ trách cụ thể.") % {"what": what})
    if spec.due_on is None:
        raise ValidationError(_("Việc “%(what)s” chưa có hạn hoàn thành.") % {"what": what})
    if spec.due_on <= meeting_date:
        raise ValidationError(
            _("Việc “%(what)s”: hạn hoàn thành %(due)s phải sau ngày họp %(day)s.")
            % {
                "what": what,
                "due": spec.due_on.strftime("%d/%m/%Y"),
                "day": meeting_date.strftime("%d/%m/%Y"),
            }
        )
    if not spec.person.unit.path.startswith(spec.lead_unit.path):
        raise ValidationError(
            _("%(name)s không thuộc đơn vị chủ trì %(unit)s.")
            % {"name": spec.person.full_name, "unit": spec.lead_unit.name}
        )
    return what, spec.lead_unit, spec.person, spec.due_on


def _create_follow_up(
    item: AgendaItem, checked: tuple[str, Unit, Person, datetime.date], is_sample: bool
) -> FollowUp:
    what, lead_unit, person, due_on = checked
    return FollowUp.objects.create(
        item=item,
        what=what,
        lead_unit=lead_unit,
        person=person,
        due_on=due_on,
        is_sample=is_sample,
    )


_STATE_AFTER = {
    Outcome.APPROVED: DraftState.APPROVED,
    Outcome.APPROVED_AFTER_REVISION: DraftState.REVISING,
    Outcome.RESUBMIT: DraftState.REVISING,
}


@transaction.atomic
def do_conclude(
    item: AgendaItem,
    *,
    conclusion: str,
    outcome: str,
    follow_ups: Sequence[FollowUpSpec] = (),
    is_sample: bool = False,
    at: datetime.datetime | None = None,
    acting_user: AnyUser,
) -> AgendaItem:
    """The presiding Secretary's conclusion on an item, with the work it assigns. Once
    recorded it is not rewritten (a later follow-up may still be added). ``at`` as in
    ``do_submit_version``."""
    locked = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if locked.concluded_at is not None:
        raise ValidationError(_("Nội dung này đã có kết luận."))
    conclusion = _text(conclusion)
    if not conclusion:
        raise ValidationError(_("Hãy ghi nội dung kết luận."))
    if outcome not in Outcome.values:
        raise ValidationError(_("Không có kết quả “%(o)s”.") % {"o": outcome})
    checked = [_checked(spec, locked.meeting.date) for spec in follow_ups]
    locked.conclusion, locked.outcome = conclusion, outcome
    locked.concluded_at, locked.concluded_by = at or timezone.now(), user_or_none(acting_user)
    locked.save(update_fields=["conclusion", "outcome", "concluded_at", "concluded_by"])
    created = [_create_follow_up(locked, values, is_sample) for values in checked]
    draft = _lock(locked.draft)
    new_state = _STATE_AFTER.get(Outcome(outcome))
    if new_state is not None and draft.state not in (DraftState.ISSUED, DraftState.WITHDRAWN):
        _set_state(draft, new_state)
    if locked.meeting.state == MeetingState.PLANNED:
        Meeting.objects.filter(pk=locked.meeting_id).update(state=MeetingState.HELD)
    record(
        "meeting.conclusion",
        locked.meeting,
        acting_user=acting_user,
        unit=locked.meeting.body,
        after={
            "item": locked.order,
            "draft": draft.pk,
            "outcome": outcome,
            "follow_ups": [f.pk for f in created],
        },
    )
    return locked


@transaction.atomic
def do_add_follow_up(item: AgendaItem, spec: FollowUpSpec, *, acting_user: AnyUser) -> FollowUp:
    if item.concluded_at is None:
        raise ValidationError(_("Việc được giao theo kết luận: hãy ghi kết luận trước."))
    follow_up = _create_follow_up(item, _checked(spec, item.meeting.date), is_sample=False)
    record(
        "follow_up.create",
        follow_up,
        acting_user=acting_user,
        unit=follow_up.lead_unit,
        after={"what": follow_up.what, "due_on": follow_up.due_on.isoformat()},
    )
    return follow_up


@transaction.atomic
def do_close_follow_up(
    follow_up: FollowUp,
    *,
    note: str,
    at: datetime.datetime | None = None,
    acting_user: AnyUser,
) -> FollowUp:
    """Close a follow-up with what was done (``at`` as in ``do_submit_version``)."""
    locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if locked.state == FollowUpState.DONE:
        raise ValidationError(_("Việc này đã hoàn thành."))
    note = _text(note)
    if not note:
        raise ValidationError(_("Hãy ghi kết quả thực hiện khi đóng việc."))
    locked.state, locked.closing_note = FollowUpState.DONE, note
    locked.closed_at, locked.closed_by = at or timezone.now(), user_or_none(acting_user)
    locked.save(update_fields=["state", "closing_note", "closed_at", "closed_by"])
    record(
        "follow_up.close",
        locked,
        acting_user=acting_user,
        unit=locked.lead_unit,
        after={"note": note},
    )
    return locked


# Issuing ------------------------------------------------------------------------------------


@transaction.atomic
def do_issue_draft(
    draft: Draft,
    *,
    issued_on: datetime.date,
    signer_name: str,
    signer_position: str = "BÍ THƯ",
    authority: str = "T/M BAN THƯỜNG VỤ",
    recipients: str = "",
    number: int | None = None,
    reason: str = "",
    acting_user: AnyUser,
) -> RegisterEntry:
    """Issue the draft's latest version with a number from its issuing body's register (the
    next one, or ``number`` with a ``reason``). A plan draft issues its study plan, which must
    still be what the version froze. The issued version is the draft's for good."""
    locked = _lock(draft)
    blocker = issue_blocker(locked)
    if blocker is not None:
        raise ValidationError(blocker)
    version = latest_version(locked)
    assert version is not None  # noqa: S101 - issue_blocker refuses a draft without one
    item = concluded_item(locked)
    if item is not None and issued_on < item.meeting.date:
        raise ValidationError(
            _("Ngày ban hành %(d)s trước phiên họp Ban Thường vụ kết luận về dự thảo (%(m)s).")
            % {"d": issued_on.strftime("%d/%m/%Y"), "m": item.meeting.date.strftime("%d/%m/%Y")}
        )
    issuing = Issuing(
        issued_on=issued_on,
        signer_name=signer_name,
        signer_position=signer_position,
        authority=authority,
        recipients=recipients,
        number=number,
        reason=reason,
    )
    subject = subject_for(locked)
    entry = None
    if subject is not None:
        _check_complete(subject.blockers(locked))
        if subject.snapshot(locked) != version.plan_snapshot:
            raise ValidationError(
                _(
                    "Nội dung đã được sửa sau lần trình %(v)s; hãy trình lần mới để Ban Thường "
                    "vụ thấy bản sẽ ban hành."
                )
                % {"v": version.number}
            )
        entry = subject.issue(locked, issuing, acting_user=acting_user)
    if entry is None:
        entry = do_issue(
            register_of(locked.issuing_unit),
            locked.doc_type,
            summary=locked.title,
            target=locked,
            **issuing.as_kwargs(),
            acting_user=acting_user,
        )
    locked.issued_version, locked.register_entry = version, entry
    locked.save(update_fields=["issued_version", "register_entry"])
    _set_state(locked, DraftState.ISSUED)
    record(
        "draft.issue",
        locked,
        acting_user=acting_user,
        unit=locked.issuing_unit,
        after={"version": version.number, "number": entry.symbol},
    )
    return entry


@transaction.atomic
def do_issue_notice(
    meeting: Meeting,
    *,
    issued_on: datetime.date,
    signer_name: str,
    signer_position: str = "CHÁNH VĂN PHÒNG",
    authority: str = "T/L BAN THƯỜNG VỤ",
    recipients: str = "",
    number: int | None = None,
    reason: str = "",
    acting_user: AnyUser,
) -> RegisterEntry:
    """Number the meeting's conclusion notice ("Thông báo kết luận", type TB) in the register of
    the committee that met, once every item is concluded; the meeting is closed with it."""
    locked = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    items = list(locked.items.select_related("draft").order_by("order"))
    if not items:
        raise ValidationError(_("Phiên họp chưa có nội dung nào; chưa ra thông báo kết luận được."))
    open_items = [item.order for item in items if item.concluded_at is None]
    if open_items:
        raise ValidationError(
            _("Nội dung %(items)s chưa có kết luận; ghi kết luận trước khi ra thông báo.")
            % {"items": ", ".join(map(str, open_items))}
        )
    if issued_on < locked.date:
        raise ValidationError(
            _("Ngày ra thông báo %(d)s trước ngày họp %(m)s.")
            % {"d": issued_on.strftime("%d/%m/%Y"), "m": locked.date.strftime("%d/%m/%Y")}
        )
    existing = notice_entry(locked)
    if existing is not None:
        raise ValidationError(
            _("Thông báo kết luận đã có số %(symbol)s.") % {"symbol": existing.symbol}
        )
    entry = do_issue(
        register_of(locked.body),
        DocType.TB,
        issued_on=issued_on,
        summary=notice_summary(locked, items, party_body(locked.body).committee),
        signer_name=signer_name,
        signer_position=signer_position,
        authority=authority,
        recipients=recipients,
        target=locked,
        number=number,
        reason=reason,
        acting_user=acting_user,
    )
    locked.state = MeetingState.CLOSED
    locked.save(update_fields=["state"])
    record(
        "meeting.notice",
        locked,
        acting_user=acting_user,
        unit=locked.body,
        after={"number": entry.symbol, "items": len(items)},
    )
    return entry


# Reminders ----------------------------------------------------------------------------------


@transaction.atomic
def do_send_follow_up_reminders(
    *, as_of: datetime.date, within_days: int, acting_user: AnyUser | None
) -> reminders.Outcome:
    """E-mail every follow-up reminder not yet sent for this as-of date — open follow-ups due
    within ``within_days`` days or overdue, of lead units the acting user sees (all of them for
    the command) — and write one audit event listing what was sent.

    What is sent is read by ``reminders.plan_run`` (the command's ``--dry-run`` prints the
    same). The mail leaves after the commit, so a rolled-back run sends nothing.
    """
    scope = scope_for(acting_user) if acting_user is not None else EVERYTHING
    # Two runs at once would both read "not sent yet": locking the follow-ups a run reminds of
    # orders them (SQLite's IMMEDIATE transactions already do).
    list(
        reminders.candidates(scope, as_of, within_days)
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )
    outcome = reminders.plan_run(as_of=as_of, within_days=within_days, scope=scope)
    kinds = list(reminders.Kind)
    record(
        reminders.AUDIT_ACTION,
        reminders.run_target(),
        acting_user=acting_user,
        after={
            "as_of": as_of.isoformat(),
            "within_days": within_days,
            "counts": {
                **{str(kind): len(outcome.ids(kind)) for kind in kinds},
                "emails": outcome.emails,
                "already_sent": len(outcome.already_sent),
                "no_recipients": len(outcome.no_recipients),
            },
            "sent": {str(kind): outcome.ids(kind) for kind in kinds},
        },
    )
    send_after_commit((r.subject, r.text, r.recipients) for r in outcome.to_send)
    return outcome
