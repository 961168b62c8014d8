"""The register of issued documents ("sổ đăng ký văn bản đi"): one per issuing body.

A document's number is unique per issuing body, numbering period and document type. The period
is data: a Party committee numbers each type in one series through its term (nhiệm kỳ) and
starts again at 01 after a congress; a state body numbers per calendar year. A number, once
given, stays in the register: a cancelled number keeps its row and its reason and is never given
again (``PARTY-DOCUMENTS.md``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhuy.org.models import Unit

# Numbers in a register: positive, and far below what a 32-bit column holds.
MAX_NUMBER = 99_999


class Scheme(models.TextChoices):
    """How a body writes a number: a Party document or a state administrative document."""

    PARTY = "party", _("Văn bản của Đảng (Số 15-KH/TU)")
    STATE = "state", _("Văn bản hành chính nhà nước (Số: 123/QĐ-UBND)")


class DocType(models.TextChoices):
    """The document types of Hướng dẫn 36-HD/VPTW in common use, by their abbreviation."""

    NQ = "NQ", _("Nghị quyết")
    QD = "QĐ", _("Quyết định")
    CT = "CT", _("Chỉ thị")
    KL = "KL", _("Kết luận")
    HD = "HD", _("Hướng dẫn")
    KH = "KH", _("Kế hoạch")
    CTR = "CTr", _("Chương trình")
    TB = "TB", _("Thông báo")
    BC = "BC", _("Báo cáo")
    TTR = "TTr", _("Tờ trình")
    DA = "ĐA", _("Đề án")
    CV = "CV", _("Công văn")
    BB = "BB", _("Biên bản")


class EntryState(models.TextChoices):
    ISSUED = "issued", _("Đã cấp số")
    CANCELLED = "cancelled", _("Đã hủy")


def format_symbol(scheme: str, number: int, doc_type: str, body_symbol: str) -> str:
    """The number and symbol as written after "Số": "15-KH/TU" (Party), "123/QĐ-UBND" (state).

    Numbers below 10 take a leading zero ("01-KH/TU"), as both guides start a series at 01.
    """
    if scheme == Scheme.STATE:
        return f"{number:02d}/{doc_type}-{body_symbol}"
    return f"{number:02d}-{doc_type}/{body_symbol}"


def number_line(scheme: str, symbol: str) -> str:
    """The line under the issuing body: "Số 15-KH/TU" (Party), "Số: 123/QĐ-UBND" (state)."""
    return f"Số: {symbol}" if scheme == Scheme.STATE else f"Số {symbol}"


class IssuingBody(models.Model):
    """A unit that issues documents under its own symbol and keeps its own register."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="issuing_body"
    )
    symbol = models.CharField(
        _("ký hiệu cơ quan"), max_length=20, help_text=_("Ví dụ: TU, VPTU, HU, ĐU, UBND.")
    )
    superior_name = models.CharField(
        _("cơ quan cấp trên"), max_length=255, help_text=_("Ví dụ: ĐẢNG BỘ TỈNH NGHỆ AN.")
    )
    name = models.CharField(
        _("tên cơ quan ban hành"), max_length=255, help_text=_("Ví dụ: TỈNH ỦY.")
    )
    scheme = models.CharField(
        _("cách ghi số"), max_length=16, choices=Scheme.choices, default=Scheme.PARTY
    )
    place = models.CharField(_("địa danh"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__name_sort", "id"]
        verbose_name = _("cơ quan ban hành")
        verbose_name_plural = _("cơ quan ban hành")

    def __str__(self) -> str:
        return f"{self.name} ({self.symbol}) — {self.superior_name}"

    def symbol_for(self, doc_type: str, number: int) -> str:
        return format_symbol(self.scheme, number, doc_type, self.symbol)

    def number_line(self, symbol: str) -> str:
        return number_line(self.scheme, symbol)


class NumberingPeriod(models.Model):
    """The span of one series of numbers: a term ("Nhiệm kỳ 2020–2025") or a year ("Năm 2025").

    Periods of one body never overlap (checked by ``actions.do_open_period``); an open period
    (no end) runs until it is closed.
    """

    body = models.ForeignKey(
        IssuingBody,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="periods",
    )
    label = models.CharField(_("thời kỳ đánh số"), max_length=100)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        ordering = ["body", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="period_ends_after_start",
            ),
        ]
        verbose_name = _("thời kỳ đánh số")
        verbose_name_plural = _("thời kỳ đánh số")

    def __str__(self) -> str:
        return self.label

    def contains(self, day: object) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)  # type: ignore[operator]


class RegisterEntry(models.Model):
    """One line of the register: a number given to one document, or cancelled with a reason."""

    body = models.ForeignKey(
        IssuingBody,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    period = models.ForeignKey(
        NumberingPeriod,
        verbose_name=_("thời kỳ đánh số"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    doc_type = models.CharField(_("loại văn bản"), max_length=4, choices=DocType.choices)
    number = models.PositiveIntegerField(_("số"))
    symbol = models.CharField(_("số, ký hiệu"), max_length=50)
    issued_on = models.DateField(_("ngày ban hành"))
    summary = models.CharField(_("trích yếu"), max_length=1000)
    signer_name = models.CharField(_("người ký"), max_length=150)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=150)
    authority = models.CharField(
        _("thẩm quyền ký"), max_length=150, help_text=_("Ví dụ: T/M BAN THƯỜNG VỤ.")
    )
    recipients = models.TextField(_("nơi nhận"), blank=True)
    # The document in the application this number was given to (a study plan …), if any.
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    reason = models.TextField(
        _("lý do"),
        blank=True,
        help_text=_("Bắt buộc khi số không phải số kế tiếp (bỏ qua số hoặc ghi số bằng tay)."),
    )
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=EntryState.choices, default=EntryState.ISSUED
    )
    cancel_reason = models.TextField(_("lý do hủy"), blank=True)
    cancelled_at = models.DateTimeField(_("thời điểm hủy"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hủy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp số"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm cấp số"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "period", "doc_type", "number"], name="register_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="register_number_positive"
            ),
        ]
        indexes = [
            # The register page lists a body's entries newest first.
            models.Index(fields=["body", "-issued_on", "-id"], name="register_body_recent"),
            models.Index(fields=["content_type", "object_id"], name="register_target"),
        ]
        verbose_name = _("số văn bản đã cấp")
        verbose_name_plural = _("sổ đăng ký văn bản đi")

    def __str__(self) -> str:
        return f"{self.symbol} ({self.issued_on:%d/%m/%Y})"

    @property
    def is_cancelled(self) -> bool:
        return self.state == EntryState.CANCELLED

    @property
    def number_line(self) -> str:
        return self.body.number_line(self.symbol)
