"""Standing Board meetings and the life of a draft ("dự thảo") through them.

An advisory body (a unit: the Propaganda Board, a city committee's office) writes a ``Draft``
and submits it as a numbered ``DraftVersion``, frozen from then on: its text is cut into
numbered lines on the server, once, so an ``Opinion`` anchored to lines 12–14 of version 2
points at the same words on every screen and in every export, for ever. A ``Meeting`` of the
Standing Board hears drafts as ``AgendaItem``s; Board members give opinions; the submitting body
answers each with a ``Disposition`` (accepted, partly, not accepted, with the reason) and
submits the revised version — no version n+1 while an opinion on version n is unanswered. The
Secretary's conclusion closes an item and may assign ``FollowUp``s: what, which unit, which
named person, by when — tracked until closed with a note.
"""

from __future__ import annotations

import functools
import textwrap
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhuy.documents.storage import private_storage
from tinhuy.org.models import Person, Unit
from tinhuy.register.models import DocType

LINE_LENGTH = 90  # characters a numbered line holds at most (OpenSlides uses 85)


class DraftKind(models.TextChoices):
    TEXT = "text", _("Văn bản")
    STUDY_PLAN = "study_plan", _("Kế hoạch học tập, quán triệt")
    PROGRAMME = "programme", _("Chương trình, đề án")


class DraftState(models.TextChoices):
    WRITING = "writing", _("Đang soạn thảo")
    SUBMITTED = "submitted", _("Đã trình")
    REVISING = "revising", _("Đang tiếp thu, chỉnh sửa")
    APPROVED = "approved", _("Đã thông qua")
    ISSUED = "issued", _("Đã ban hành")
    WITHDRAWN = "withdrawn", _("Đã rút")


class Draft(models.Model):
    kind = models.CharField(_("loại dự thảo"), max_length=16, choices=DraftKind.choices)
    title = models.CharField(_("tên dự thảo"), max_length=500)
    doc_type = models.CharField(_("loại văn bản"), max_length=4, choices=DocType.choices)
    submitting_unit = models.ForeignKey(
        Unit,
        verbose_name=_("cơ quan trình"),
        on_delete=models.PROTECT,
        related_name="drafts_submitted",
    )
    issuing_unit = models.ForeignKey(
        Unit, verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT, related_name="+"
    )
    # The study plan a plan draft writes (its rules and topics are edited on the plan, in draft
    # state; each version freezes them).
    plan = models.OneToOneField(
        "study.Plan",
        verbose_name=_("kế hoạch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draft",
    )
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=DraftState.choices, default=DraftState.WRITING
    )
    text = models.TextField(_("nội dung đang soạn"), blank=True)  # the next version, unsaved
    # Set once, when the office issues the draft: the version issued and its register number.
    issued_version = models.OneToOneField(
        "DraftVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    register_entry = models.OneToOneField(
        "register.RegisterEntry",
        verbose_name=_("số, ký hiệu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dự thảo")
        verbose_name_plural = _("dự thảo")

    def __str__(self) -> str:
        return self.title


class DraftVersion(models.Model):
    """A submitted version: never changed once written."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("lần trình"))
    text = models.TextField(_("nội dung"))
    # A plan draft's plan as submitted (title, source, topics, rules), to compare versions by.
    plan_snapshot = models.JSONField(null=True, blank=True)
    line_length = models.PositiveSmallIntegerField(default=LINE_LENGTH)
    note = models.TextField(_("ghi chú lần trình"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["draft", "number"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "number"], name="draft_version_unique"),
        ]
        verbose_name = _("lần trình dự thảo")
        verbose_name_plural = _("lần trình dự thảo")

    def __str__(self) -> str:
        return f"{self.draft} — lần {self.number}"

    def lines(self) -> list[str]:
        return list(_numbered(self.text, self.line_length))


@functools.lru_cache(maxsize=256)
def _numbered(text: str, width: int) -> tuple[str, ...]:
    """A frozen version's lines, wrapped once per process: every page that shows or checks a
    version asks for them, and wrapping costs milliseconds a long draft."""
    return tuple(number_lines(text, width))


def number_lines(text: str, width: int = LINE_LENGTH) -> list[str]:
    """The text as numbered lines: each paragraph wrapped at ``width`` characters, blank lines
    kept (they separate paragraphs in Markdown). Line n is ``lines[n - 1]``."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        wrapped = textwrap.wrap(
            paragraph, width, break_long_words=True, break_on_hyphens=False, drop_whitespace=True
        )
        lines.extend(wrapped or [""])
    while lines and not lines[-1]:
        lines.pop()
    return lines


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Đã lên lịch")
    HELD = "held", _("Đã họp")
    CLOSED = "closed", _("Đã kết thúc")


class Meeting(models.Model):
    """A meeting ("phiên họp") of a committee's Standing Board."""

    body = models.ForeignKey(
        Unit, verbose_name=_("cấp ủy"), on_delete=models.PROTECT, related_name="meetings"
    )
    date = models.DateField(_("ngày họp"))
    title = models.CharField(_("tên phiên họp"), max_length=255, blank=True)
    presiding = models.ForeignKey(
        Person,
        verbose_name=_("chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    guests = models.TextField(_("khách mời"), blank=True)
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("phiên họp Ban Thường vụ")
        verbose_name_plural = _("phiên họp Ban Thường vụ")

    def __str__(self) -> str:
        return self.title or f"Phiên họp ngày {self.date:%d/%m/%Y}"


class Attendance(models.Model):
    """A Board member at a meeting: present, or absent with a reason."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, verbose_name=_("ủy viên"), on_delete=models.PROTECT)
    present = models.BooleanField(_("có mặt"), default=True)
    absence_reason = models.CharField(_("lý do vắng"), max_length=255, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="meeting_attendance_unique"),
        ]
        verbose_name = _("thành phần dự họp")
        verbose_name_plural = _("thành phần dự họp")

    def __str__(self) -> str:
        return f"{self.person} — {'có mặt' if self.present else 'vắng'}"


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Thông qua")
    APPROVED_AFTER_REVISION = (
        "approved_after_revision",
        _("Thông qua; giao tiếp thu, chỉnh sửa rồi ban hành"),
    )
    RESUBMIT = "resubmit", _("Chưa thông qua; chỉnh sửa, trình lại")
    NOTED = "noted", _("Cho ý kiến")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="items")
    version = models.ForeignKey(
        DraftVersion, verbose_name=_("lần trình"), on_delete=models.PROTECT, related_name="items"
    )
    conclusion = models.TextField(_("kết luận"), blank=True)
    outcome = models.CharField(_("kết quả"), max_length=32, choices=Outcome.choices, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_order_unique"),
            models.UniqueConstraint(fields=["meeting", "draft"], name="agenda_draft_unique"),
        ]
        verbose_name = _("nội dung phiên họp")
        verbose_name_plural = _("nội dung phiên họp")

    def __str__(self) -> str:
        return f"{self.order}. {self.draft}"


class Opinion(models.Model):
    """A Board member's opinion on a version, on lines ``line_from``–``line_to`` (none: on the
    whole draft), optionally with the wording they propose."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="opinions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("người góp ý"), max_length=150)
    line_from = models.PositiveIntegerField(_("từ dòng"), null=True, blank=True)
    line_to = models.PositiveIntegerField(_("đến dòng"), null=True, blank=True)
    quoted_text = models.TextField(_("đoạn được góp ý"), blank=True)
    text = models.TextField(_("nội dung ý kiến"))
    proposed_text = models.TextField(_("đề nghị sửa thành"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["version", "line_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(line_from__isnull=True, line_to__isnull=True)
                | models.Q(line_from__gte=1, line_to__gte=models.F("line_from")),
                name="opinion_line_range",
            ),
        ]
        verbose_name = _("ý kiến góp ý")
        verbose_name_plural = _("ý kiến góp ý")

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:60]}"


class DispositionKind(models.TextChoices):
    ACCEPTED = "accepted", _("Tiếp thu")
    PARTLY = "partly", _("Tiếp thu một phần")
    NOT_ACCEPTED = "not_accepted", _("Giải trình, không tiếp thu")


class Disposition(models.Model):
    """The submitting body's answer to one opinion; it travels with the revised version."""

    opinion = models.OneToOneField(Opinion, on_delete=models.PROTECT, related_name="disposition")
    kind = models.CharField(_("tiếp thu"), max_length=16, choices=DispositionKind.choices)
    explanation = models.TextField(_("giải trình"), blank=True)
    revised_in = models.ForeignKey(
        DraftVersion,
        verbose_name=_("đã sửa ở lần trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tiếp thu, giải trình")
        verbose_name_plural = _("tiếp thu, giải trình")

    def __str__(self) -> str:
        return self.get_kind_display()


class FollowUpState(models.TextChoices):
    OPEN = "open", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")


class FollowUp(models.Model):
    """Work a conclusion assigns: what, the lead unit, a named person, by when."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="follow_ups")
    what = models.TextField(_("nội dung giao"))
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("người phụ trách"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("hạn hoàn thành"))
    state = models.CharField(
        _("trạng thái"), max_length=8, choices=FollowUpState.choices, default=FollowUpState.OPEN
    )
    closing_note = models.TextField(_("kết quả thực hiện"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="follow_up_open_due")]
        verbose_name = _("việc giao sau kết luận")
        verbose_name_plural = _("việc giao sau kết luận")

    def __str__(self) -> str:
        return self.what[:80]


def _attachment_path(instance: DraftAttachment, filename: str) -> str:
    """A name of our own under the draft's folder: the user's file name is kept in ``name``."""
    return f"meetings/drafts/{instance.draft_id}/{uuid.uuid4().hex}"


class DraftAttachment(models.Model):
    """A document attached to a draft (a report, a table, a map). A version lists the
    attachments it was submitted with: those uploaded before it and not removed by then, so a
    removal never changes what an earlier version carried."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["draft", "uploaded_at", "id"]
        verbose_name = _("tài liệu kèm theo")
        verbose_name_plural = _("tài liệu kèm theo")

    def __str__(self) -> str:
        return self.name
