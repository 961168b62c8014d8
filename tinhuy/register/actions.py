"""Every write to the register: declare an issuing body, open or close a numbering period,
give a number, cancel a number. One transaction each, audited.

Two offices giving a number at the same moment must not get the same one: ``do_issue`` locks
the body's row first (``SELECT … FOR UPDATE`` where the database has row locks; SQLite's
transactions here are IMMEDIATE, so writers already queue), and the unique constraint on
(body, period, type, number) stands behind it, turned into the same message.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.audit.actions import record, snapshot, user_or_none
from tinhuy.register.models import (
    MAX_NUMBER,
    DocType,
    EntryState,
    IssuingBody,
    NumberingPeriod,
    RegisterEntry,
    Scheme,
)
from tinhuy.register.queries import next_in_period, period_on
from tinhuy.search.text import normalize

if TYPE_CHECKING:
    from tinhuy.org.actions import AnyUser
    from tinhuy.org.models import Unit

BODY_FIELDS = ("unit", "symbol", "superior_name", "name", "scheme", "place")
PERIOD_FIELDS = ("body", "label", "starts_on", "ends_on")
ENTRY_FIELDS = (
    "body",
    "period",
    "doc_type",
    "number",
    "symbol",
    "issued_on",
    "summary",
    "signer_name",
    "signer_position",
    "authority",
    "recipients",
    "content_type",
    "object_id",
    "reason",
    "state",
)


class NumberTaken(ValidationError):
    """The number asked for is already in the register (given or cancelled)."""


def _required(value: str, label: str) -> str:
    text = normalize(value.strip())
    if not text:
        raise ValidationError(_("Chưa nhập %(field)s.") % {"field": label})
    return text


def _lines(text: str) -> str:
    """Each line normalised, the blank ones dropped: recipients are one per line ("- …,")."""
    return "\n".join(normalize(line) for line in text.splitlines() if line.strip())


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _span(starts_on: datetime.date, ends_on: datetime.date | None) -> str:
    if ends_on is None:
        return _("từ %(start)s, chưa kết thúc") % {"start": _date(starts_on)}
    return _("%(start)s – %(end)s") % {"start": _date(starts_on), "end": _date(ends_on)}


@transaction.atomic
def do_create_issuing_body(
    unit: Unit,
    *,
    symbol: str,
    superior_name: str,
    name: str,
    place: str,
    scheme: str = Scheme.PARTY,
    acting_user: AnyUser,
) -> IssuingBody:
    """Declare that ``unit`` issues documents under ``symbol`` and keeps a register."""
    symbol = _required(symbol, _("ký hiệu cơ quan"))
    if any(char in symbol for char in "/- "):
        raise ValidationError(
            _("Ký hiệu cơ quan “%(symbol)s” không được chứa dấu “/”, “-” hay khoảng trắng.")
            % {"symbol": symbol}
        )
    if scheme not in Scheme.values:
        raise ValidationError(_("Cách ghi số không hợp lệ."))
    if IssuingBody.objects.filter(unit=unit).exists():
        raise ValidationError(_("%(unit)s đã có sổ đăng ký văn bản.") % {"unit": unit.name})
    body = IssuingBody.objects.create(
        unit=unit,
        symbol=symbol,
        superior_name=_required(superior_name, _("cơ quan cấp trên")),
        name=_required(name, _("tên cơ quan ban hành")),
        place=_required(place, _("địa danh")),
        scheme=scheme,
    )
    record(
        "register.create_body",
        body,
        acting_user=acting_user,
        unit=unit,
        after=snapshot(body, BODY_FIELDS),
    )
    return body


def _check_no_overlap(
    body: IssuingBody,
    label: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    *,
    exclude: NumberingPeriod | None = None,
) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(
            _("Thời kỳ “%(label)s”: ngày kết thúc %(end)s trước ngày bắt đầu %(start)s.")
            % {"label": label, "end": _date(ends_on), "start": _date(starts_on)}
        )
    others = NumberingPeriod.objects.filter(body=body).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        others = others.filter(starts_on__lte=ends_on)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other = others.order_by("starts_on").first()
    if other is not None:
        raise ValidationError(
            _(
                "Thời kỳ “%(label)s” (%(span)s) trùng với thời kỳ “%(other)s” (%(other_span)s) "
                "đã có trong sổ; các thời kỳ đánh số của một cơ quan không được chồng lên nhau."
            )
            % {
                "label": label,
                "span": _span(starts_on, ends_on),
                "other": other.label,
                "other_span": _span(other.starts_on, other.ends_on),
            }
        )


@transaction.atomic
def do_open_period(
    body: IssuingBody,
    *,
    label: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    acting_user: AnyUser,
) -> NumberingPeriod:
    """Open a numbering period (a term, a year): numbers of each type start again at 01."""
    label = _required(label, _("tên thời kỳ đánh số"))
    IssuingBody.objects.select_for_update().filter(pk=body.pk).first()
    _check_no_overlap(body, label, starts_on, ends_on)
    period = NumberingPeriod.objects.create(
        body=body, label=label, starts_on=starts_on, ends_on=ends_on
    )
    record(
        "register.open_period",
        period,
        acting_user=acting_user,
        unit=body.unit,
        after=snapshot(period, PERIOD_FIELDS),
    )
    return period


@transaction.atomic
def do_close_period(
    period: NumberingPeriod, *, ends_on: datetime.date, acting_user: AnyUser
) -> NumberingPeriod:
    """End an open (or shorten a) period, e.g. on the day before a congress."""
    body = period.body
    IssuingBody.objects.select_for_update().filter(pk=body.pk).first()
    _check_no_overlap(body, period.label, period.starts_on, ends_on, exclude=period)
    later = period.entries.filter(issued_on__gt=ends_on).order_by("issued_on").first()
    if later is not None:
        raise ValidationError(
            _("Thời kỳ “%(label)s” đã có số %(symbol)s ngày %(date)s, sau ngày %(end)s.")
            % {
                "label": period.label,
                "symbol": later.symbol,
                "date": _date(later.issued_on),
                "end": _date(ends_on),
            }
        )
    before = snapshot(period, ("ends_on",))
    period.ends_on = ends_on
    period.save(update_fields=["ends_on"])
    record(
        "register.close_period",
        period,
        acting_user=acting_user,
        unit=body.unit,
        before=before,
        after=snapshot(period, ("ends_on",)),
    )
    return period


def taken_message(entry: RegisterEntry) -> str:
    """ "Số 15-KH/TU đã cấp ngày 03/11/2020 cho “…”." — the one wording of a taken number."""
    values = {
        "line": entry.body.number_line(entry.symbol),
        "date": _date(entry.issued_on),
        "summary": entry.summary,
    }
    if entry.state == EntryState.CANCELLED:
        return (
            _(
                "%(line)s đã cấp ngày %(date)s cho “%(summary)s” và đã bị hủy; số đã hủy không "
                "được cấp lại."
            )
            % values
        )
    return _("%(line)s đã cấp ngày %(date)s cho “%(summary)s”.") % values


def _taken(body: IssuingBody, period: NumberingPeriod, doc_type: str, number: int) -> NumberTaken:
    entry = RegisterEntry.objects.select_related("body").get(
        body=body, period=period, doc_type=doc_type, number=number
    )
    return NumberTaken(taken_message(entry))


@transaction.atomic
def do_issue(
    body: IssuingBody,
    doc_type: str,
    *,
    issued_on: datetime.date,
    summary: str,
    signer_name: str,
    signer_position: str,
    authority: str,
    recipients: str = "",
    target: models.Model | None = None,
    number: int | None = None,
    reason: str = "",
    acting_user: AnyUser,
) -> RegisterEntry:
    """Give a document its number in ``body``'s register.

    The period is the body's period containing ``issued_on``. Without ``number`` the next one is
    taken (the largest in the series plus one, cancelled numbers included); a different number
    (a gap, a number written by hand) needs a ``reason``; a number already in the register is
    refused with the entry that holds it.
    """
    if doc_type not in DocType.values:
        raise ValidationError(_("Loại văn bản “%(type)s” không có.") % {"type": doc_type})
    summary = _required(summary, _("trích yếu"))
    signer_name = _required(signer_name, _("người ký"))
    signer_position = _required(signer_position, _("chức vụ người ký"))
    authority = _required(authority, _("thẩm quyền ký"))
    reason = normalize(reason.strip())
    # Serialises every issue of this body, so the proposed number below is still free when the
    # row is written (a no-op on SQLite, whose IMMEDIATE transaction already holds the lock).
    IssuingBody.objects.select_for_update().filter(pk=body.pk).first()
    period = period_on(body, issued_on)
    proposed = next_in_period(period, doc_type)
    if number is None:
        number = proposed
    elif not 1 <= number <= MAX_NUMBER:
        raise ValidationError(
            _("Số văn bản phải từ 1 đến %(max)s.") % {"max": f"{MAX_NUMBER:,}".replace(",", ".")}
        )
    elif (
        number < proposed
        and RegisterEntry.objects.filter(period=period, doc_type=doc_type, number=number).exists()
    ):
        raise _taken(body, period, doc_type, number)
    if number != proposed and not reason:
        raise ValidationError(
            _(
                "%(line)s không phải số kế tiếp (số kế tiếp là %(next)s): cấp số bỏ cách hoặc "
                "ghi số bằng tay phải ghi lý do."
            )
            % {
                "line": body.number_line(body.symbol_for(doc_type, number)),
                "next": body.symbol_for(doc_type, proposed),
            }
        )
    content_type = None
    if target is not None:
        content_type = ContentType.objects.get_for_model(target)
        held = (
            RegisterEntry.objects.select_related("body")
            .filter(content_type=content_type, object_id=target.pk, state=EntryState.ISSUED)
            .first()
        )
        if held is not None:
            raise ValidationError(
                _("Văn bản này đã được cấp số: %(line)s ngày %(date)s.")
                % {"line": held.number_line, "date": _date(held.issued_on)}
            )
    try:
        with transaction.atomic():
            entry = RegisterEntry.objects.create(
                body=body,
                period=period,
                doc_type=doc_type,
                number=number,
                symbol=body.symbol_for(doc_type, number),
                issued_on=issued_on,
                summary=summary,
                signer_name=signer_name,
                signer_position=signer_position,
                authority=authority,
                recipients=_lines(recipients),
                content_type=content_type,
                object_id=target.pk if target is not None else None,
                reason=reason,
                issued_by=user_or_none(acting_user),
            )
    except IntegrityError:
        # Another office took the number between our read and our write (a database without
        # row locks, or a caller that skipped the lock): the same message as a taken number.
        raise _taken(body, period, doc_type, number) from None
    record(
        "register.issue",
        entry,
        acting_user=acting_user,
        unit=body.unit,
        after={**snapshot(entry, ENTRY_FIELDS), "proposed": proposed},
    )
    return entry


@transaction.atomic
def do_cancel_entry(entry: RegisterEntry, *, reason: str, acting_user: AnyUser) -> RegisterEntry:
    """Cancel a number: it stays in the register with its reason and is never given again.

    A number that belongs to a document of the application (an issued study plan) is not
    cancelled here: the document would keep a number the register calls cancelled.
    """
    reason = _required(reason, _("lý do hủy"))
    locked = RegisterEntry.objects.select_for_update().select_related("body__unit").get(pk=entry.pk)
    if locked.state == EntryState.CANCELLED:
        raise ValidationError(_("%(line)s đã bị hủy trước đó.") % {"line": locked.number_line})
    if locked.content_type_id is not None:
        raise ValidationError(
            _(
                "%(line)s là số của một văn bản đã ban hành trong phần mềm; không hủy số này "
                "trong sổ."
            )
            % {"line": locked.number_line}
        )
    before = snapshot(locked, ("state", "cancel_reason"))
    locked.state = EntryState.CANCELLED
    locked.cancel_reason = reason
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = user_or_none(acting_user)
    locked.save(update_fields=["state", "cancel_reason", "cancelled_at", "cancelled_by"])
    record(
        "register.cancel",
        locked,
        acting_user=acting_user,
        unit=locked.body.unit,
        before=before,
        after=snapshot(locked, ("state", "cancel_reason")),
    )
    entry.refresh_from_db()
    return locked
