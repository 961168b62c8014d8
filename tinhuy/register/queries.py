"""Reads of the register shared by its pages, its API and the study plan's issuing."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from tinhuy.register.models import IssuingBody, NumberingPeriod, RegisterEntry

if TYPE_CHECKING:
    from tinhuy.org.access import Scope
    from tinhuy.org.models import Unit


def bodies_for(scope: Scope) -> QuerySet[IssuingBody]:
    """The issuing bodies whose unit the scope sees, in Vietnamese name order of the units."""
    return IssuingBody.objects.filter(scope.q("unit__")).select_related("unit__structure")


def body_for_unit(unit: Unit) -> IssuingBody | None:
    """The issuing body of a unit (the one that numbers the documents it issues), if declared."""
    return IssuingBody.objects.select_related("unit").filter(unit=unit).first()


def register_of(unit: Unit) -> IssuingBody:
    """The issuing body that numbers what ``unit`` issues; a ``ValidationError`` when the office
    has not declared one (every issuing action and page says it the same way)."""
    body = body_for_unit(unit)
    if body is None:
        raise ValidationError(
            _(
                "%(unit)s chưa có sổ đăng ký văn bản đi: Văn phòng cần khai báo cơ quan ban hành "
                "trước khi cấp số."
            )
            % {"unit": unit.name}
        )
    return body


def period_on(body: IssuingBody, on: datetime.date) -> NumberingPeriod:
    """The body's numbering period that contains ``on``; a ``ValidationError`` naming the date
    when none does."""
    period = (
        NumberingPeriod.objects.filter(body=body, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .first()
    )
    if period is None:
        raise ValidationError(
            _(
                "Ngày %(date)s không thuộc thời kỳ đánh số nào của %(body)s; Văn phòng cần mở "
                "thời kỳ (nhiệm kỳ hoặc năm) chứa ngày này trước khi cấp số."
            )
            % {"date": on.strftime("%d/%m/%Y"), "body": body.unit.name}
        )
    return period


def next_in_period(period: NumberingPeriod, doc_type: str) -> int:
    """The next number of a series: the largest given so far plus one, cancelled ones included
    (a cancelled number is never given again); 1 for a new series."""
    largest = RegisterEntry.objects.filter(period=period, doc_type=doc_type).aggregate(
        n=Max("number")
    )["n"]
    return (largest or 0) + 1


def next_number(body: IssuingBody, doc_type: str, on: datetime.date) -> int:
    """The number proposed for a document of ``doc_type`` issued by ``body`` on ``on``."""
    return next_in_period(period_on(body, on), doc_type)


def next_numbers(period: NumberingPeriod) -> dict[str, int]:
    """The next number of every type with a number in the period (one query); other types
    start at 1."""
    rows = (
        RegisterEntry.objects.filter(period=period)
        .values("doc_type")
        .annotate(n=Max("number"))
        .order_by()
    )
    return {row["doc_type"]: row["n"] + 1 for row in rows}


def entries(
    body: IssuingBody, *, period_id: int | None = None, doc_type: str | None = None
) -> QuerySet[RegisterEntry]:
    """A body's register, newest first, filtered by period and type; the linked documents are
    loaded once per kind (``prefetch_related``), not once a line."""
    rows = RegisterEntry.objects.filter(body=body)
    if period_id is not None:
        rows = rows.filter(period_id=period_id)
    if doc_type:
        rows = rows.filter(doc_type=doc_type)
    return rows.select_related("body", "period", "issued_by", "cancelled_by").prefetch_related(
        "target"
    )


def entry_for_target(target: object) -> RegisterEntry | None:
    """The number given to a document of the application (e.g. a study plan), if any."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(target)  # type: ignore[arg-type]
    return (
        RegisterEntry.objects.filter(content_type=content_type, object_id=target.pk)  # type: ignore[attr-defined]
        .exclude(state="cancelled")
        .first()
    )
