"""Programmes and projects ("chương trình, đề án, dự án") that implement a decision.

A ``Programme`` (the plan to implement Decision 827 for Vinh, the Gazetteer project) is broken
down into ``Node``s — fields ("lĩnh vực"), items flagged focus / key point / breakthrough
("trọng tâm / trọng điểm / đột phá") and tasks, to any depth, a tree kept as a materialised path
like the organisation's. Every task has a lead unit, co-ordinating units, a named responsible
person, start and due dates, dated ``Milestone``s (the roadmap), ``BudgetLine``s by source in
whole đồng and staff, and ``Indicator``s with a baseline and ``IndicatorTarget``s by year.

A programme is written as a draft of the Standing Board's meeting machinery
(``meetings.Draft``, kind "programme"): submitted, commented on, revised, concluded and issued
with a register number. It can be neither submitted nor issued while it is incomplete
(``queries.missing_for_approval``). Issuing freezes a ``Baseline`` — one ``BaselineNode`` per
node with its dates, weight and budget — that plan-versus-actual reads from for good.

Progress comes from ``ProgressReport``s, one per task and ``ReportingCycle``; a cycle locks
when it closes. A task's progress is its latest report's; items, fields and the programme roll
it up weighted: Σ(weight · progress) / Σ weight over the children not cancelled.

Units are units of ``tinhuy.org``: a state agency (a department, a people's committee) is a unit
of a structure of its own, so scope is that of ``tinhuy.org.access``. When a unit ceases, its
open work moves to its successor by ``actions.do_hand_over``: the nodes keep a record of the
hand-over, so the history still shows the old name.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhuy.documents.storage import private_storage
from tinhuy.org.models import Person, Unit

# Budgets are whole đồng: no fraction of a đồng exists; 18 digits hold a national budget.
MONEY_DIGITS = 18


def money_field(verbose_name: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        verbose_name,
        max_digits=MONEY_DIGITS,
        decimal_places=0,
        validators=[MinValueValidator(Decimal(0))],
    )


class ProgrammeKind(models.TextChoices):
    PROGRAMME = "programme", _("Chương trình")
    SCHEME = "scheme", _("Đề án")
    PROJECT = "project", _("Dự án")
    PLAN = "plan", _("Kế hoạch")


class ProgrammeState(models.TextChoices):
    DRAFT = "draft", _("Đang xây dựng")
    SUBMITTED = "submitted", _("Đã trình")
    APPROVED = "approved", _("Đã phê duyệt")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    COMPLETED = "completed", _("Đã hoàn thành")
    CANCELLED = "cancelled", _("Đã hủy")


class Programme(models.Model):
    kind = models.CharField(
        _("loại"), max_length=16, choices=ProgrammeKind.choices, default=ProgrammeKind.PROGRAMME
    )
    title = models.CharField(_("tên chương trình, đề án"), max_length=500)
    source_decision = models.CharField(
        _("văn bản nguồn"),
        max_length=500,
        blank=True,
        help_text=_("Ví dụ: Quyết định 827/QĐ-TTg ngày 12/6/2020 của Thủ tướng Chính phủ"),
    )
    goals = models.TextField(_("mục tiêu"), blank=True)
    period_start = models.DateField(_("thời gian từ"), null=True, blank=True)
    period_end = models.DateField(_("thời gian đến"), null=True, blank=True)
    # The unit whose programme it is: its office writes it, its subtree sees it.
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT, related_name="programmes"
    )
    focal_agency = models.ForeignKey(
        Unit,
        verbose_name=_("cơ quan đầu mối"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes_as_focal",
    )
    coordinating_units = models.ManyToManyField(
        Unit, verbose_name=_("đơn vị phối hợp"), blank=True, related_name="+"
    )
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=ProgrammeState.choices, default=ProgrammeState.DRAFT
    )
    # The Board's draft that carries it through meetings and issues it.
    draft = models.OneToOneField(
        "meetings.Draft",
        verbose_name=_("dự thảo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programme",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("chương trình, đề án")
        verbose_name_plural = _("chương trình, đề án")

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        """Its plan (tree, dates, owners, money) is written while a draft, not once submitted."""
        return self.state == ProgrammeState.DRAFT


class NodeKind(models.TextChoices):
    FIELD = "field", _("Lĩnh vực")
    ITEM = "item", _("Nội dung")
    TASK = "task", _("Nhiệm vụ")


class NodeStatus(models.TextChoices):
    """A task's status as its latest report gives it; a status carries its default progress."""

    NOT_STARTED = "not_started", _("Chưa triển khai")
    ON_TRACK = "on_track", _("Đang thực hiện, đúng tiến độ")
    BEHIND = "behind", _("Đang thực hiện, chậm tiến độ")
    DONE = "done", _("Đã hoàn thành")
    CANCELLED = "cancelled", _("Dừng, hủy bỏ")


# The progress a status implies when a report gives none (Decidim's status progress).
STATUS_PROGRESS = {NodeStatus.NOT_STARTED: 0, NodeStatus.DONE: 100}


class Node(models.Model):
    """A field, an item or a task of a programme; tasks may hold tasks, to any depth.

    ``path`` is the materialised path of each ancestor's place among its siblings and id
    ("/000001.12/000003.40/", ``actions.node_path``), so ordering by it is tree order; set when
    the node is created and rewritten for its subtree when it moves (``actions.do_move_node``
    refuses a move under itself). ``progress`` and ``status`` are the latest report's, kept on
    the row so that the tree's roll-up reads one table.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    kind = models.CharField(_("loại"), max_length=8, choices=NodeKind.choices)
    code = models.CharField(_("số hiệu"), max_length=32, blank=True)  # "1.2.3", or the user's
    title = models.CharField(_("tên"), max_length=500)
    description = models.TextField(_("mô tả"), blank=True)
    is_focus = models.BooleanField(_("trọng tâm"), default=False)
    is_key = models.BooleanField(_("trọng điểm"), default=False)
    is_breakthrough = models.BooleanField(_("đột phá"), default=False)
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="program_nodes_led",
    )
    coordinating_units = models.ManyToManyField(
        Unit, verbose_name=_("đơn vị phối hợp"), blank=True, related_name="+"
    )
    responsible = models.ForeignKey(
        Person,
        verbose_name=_("người phụ trách"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="program_nodes",
    )
    start_on = models.DateField(_("ngày bắt đầu"), null=True, blank=True)
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    staff = models.PositiveIntegerField(_("nhân lực (người)"), null=True, blank=True)
    weight = models.DecimalField(
        _("trọng số"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    status = models.CharField(
        _("tình trạng"), max_length=16, choices=NodeStatus.choices, default=NodeStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["programme", "path"]
        indexes = [
            models.Index(fields=["programme", "path"], name="program_node_tree"),
            models.Index(fields=["lead_unit", "due_on"], name="program_node_lead_due"),
            models.Index(fields=["responsible", "due_on"], name="program_node_person_due"),
            # The to-do list and the overdue list walk tasks by due date and stop at a page.
            # Due date first: with the kind first, SQLite (no statistics) took it over
            # (lead_unit, due_on) for "does this unit lead an open task" and read every task
            # once per unit (the due list's unit filter: 13 s at the benchmark's size).
            models.Index(fields=["due_on"], name="program_node_due"),
        ]
        verbose_name = _("mục của chương trình")
        verbose_name_plural = _("mục của chương trình")

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    @property
    def emphasis(self) -> list[str]:
        """Its flags as words: "trọng tâm", "trọng điểm", "đột phá"."""
        flags = (
            (self.is_focus, _("trọng tâm")),
            (self.is_key, _("trọng điểm")),
            (self.is_breakthrough, _("đột phá")),
        )
        return [str(label) for on, label in flags if on]


class Milestone(models.Model):
    """A dated step of a task's roadmap ("lộ trình")."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("mốc"), max_length=500)
    due_on = models.DateField(_("thời hạn"))
    done_on = models.DateField(_("hoàn thành ngày"), null=True, blank=True)

    class Meta:
        ordering = ["node", "due_on", "id"]
        indexes = [
            # Open milestones by due date (the to-do list, the due list), done ones left out.
            models.Index(
                fields=["due_on"],
                condition=models.Q(done_on__isnull=True),
                name="program_milestone_open_due",
            ),
        ]
        verbose_name = _("mốc tiến độ")
        verbose_name_plural = _("mốc tiến độ")

    def __str__(self) -> str:
        return self.title


class FundingSource(models.TextChoices):
    CENTRAL_BUDGET = "central", _("Ngân sách trung ương")
    LOCAL_BUDGET = "local", _("Ngân sách địa phương")
    ODA = "oda", _("Vốn ODA, vay ưu đãi")
    PRIVATE = "private", _("Vốn doanh nghiệp, xã hội hóa")
    OTHER = "other", _("Nguồn khác")


class BudgetLine(models.Model):
    """Money a task plans from one source, optionally for one year, in whole đồng."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.CharField(_("nguồn vốn"), max_length=16, choices=FundingSource.choices)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    amount = money_field(_("kinh phí (đồng)"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        ordering = ["node", "source", "year", "id"]
        verbose_name = _("dòng kinh phí")
        verbose_name_plural = _("dòng kinh phí")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.year or ''}: {self.amount}"


class Indicator(models.Model):
    """What a task's result is measured by, with its baseline; its actual values come from the
    reports or, when it points to a gazetteer indicator and place, from published figures."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("chỉ tiêu"), max_length=255)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=64)
    baseline_value = models.DecimalField(
        _("giá trị gốc"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("năm gốc"), null=True, blank=True)
    gazetteer_indicator = models.ForeignKey(
        "gazetteer.Indicator",
        verbose_name=_("chỉ tiêu trong Địa chí"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    gazetteer_place = models.ForeignKey(
        "gazetteer.Place",
        verbose_name=_("địa danh trong Địa chí"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["node", "id"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return self.name


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("mục tiêu"), max_digits=20, decimal_places=4)

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicator_target_unique")
        ]
        verbose_name = _("mục tiêu theo năm")
        verbose_name_plural = _("mục tiêu theo năm")

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class Baseline(models.Model):
    """The plan as approved: frozen when the programme is issued, never changed."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="baseline")
    taken_at = models.DateTimeField()
    register_entry = models.ForeignKey(
        "register.RegisterEntry", null=True, on_delete=models.PROTECT, related_name="+"
    )
    budget_total = money_field(_("tổng kinh phí"))

    class Meta:
        verbose_name = _("kế hoạch gốc")
        verbose_name_plural = _("kế hoạch gốc")

    def __str__(self) -> str:
        return f"{self.programme} — {self.taken_at:%d/%m/%Y}"


class BaselineNode(models.Model):
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="nodes")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="baselines")
    title = models.CharField(max_length=500)
    start_on = models.DateField(null=True)
    due_on = models.DateField(null=True)
    weight = models.DecimalField(max_digits=7, decimal_places=2)
    budget = money_field(_("kinh phí"))  # its own lines, all sources
    budget_by_source = models.JSONField(default=dict)  # {source: "amount"} of its own lines
    milestones = models.JSONField(default=list)  # [{"title", "due_on"}]
    targets = models.JSONField(default=list)  # [{"indicator", "year", "value"}]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["baseline", "node"], name="baseline_node_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    YEARLY = "yearly", _("Hằng năm")


class ReportingCycle(models.Model):
    """A reporting period of a programme: every open task reports once; closed, it is locked."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cycles")
    frequency = models.CharField(_("kỳ báo cáo"), max_length=16, choices=Frequency.choices)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    due_on = models.DateField(_("hạn báo cáo"))
    closed_at = models.DateTimeField(_("khóa sổ lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["programme", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period_start"], name="reporting_cycle_unique"
            )
        ]
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")

    def __str__(self) -> str:
        return f"{self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class ProgressReport(models.Model):
    """A task's report for a cycle: status, % done, what was done, money spent so far."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.PROTECT, related_name="reports")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="reports")
    # The unit that reported: the lead unit then (a hand-over later does not rewrite it).
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("tình trạng"), max_length=16, choices=NodeStatus.choices)
    progress = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), validators=[MaxValueValidator(100)]
    )
    narrative = models.TextField(_("kết quả thực hiện"), blank=True)
    spent = models.DecimalField(
        _("kinh phí đã giải ngân lũy kế (đồng)"),
        max_digits=MONEY_DIGITS,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["cycle", "node"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "node"], name="progress_report_unique")
        ]
        indexes = [models.Index(fields=["node", "cycle"], name="progress_report_node")]
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")

    def __str__(self) -> str:
        return f"{self.node} — {self.cycle}"

    @property
    def is_late(self) -> bool:
        return self.submitted_at.date() > self.cycle.due_on


class IndicatorValue(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("giá trị đạt được"), max_digits=20, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


def _report_file_path(instance: ReportAttachment, filename: str) -> str:
    """A name of our own under the report's folder (the user's file name is kept in ``name``),
    in the private file home drafts' attachments use."""
    return f"programs/reports/{instance.report_id}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    """A document sent with a progress report, kept in the private file home."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(storage=private_storage, upload_to=_report_file_path, max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "uploaded_at", "id"]
        verbose_name = _("tài liệu kèm theo báo cáo")
        verbose_name_plural = _("tài liệu kèm theo báo cáo")

    def __str__(self) -> str:
        return self.name


class HandOver(models.Model):
    """Open work moved from a unit that ceased to its successor, in one audited action."""

    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField(_("từ ngày"))
    reason = models.CharField(_("lý do"), max_length=500)
    moved = models.JSONField(default=dict)  # {"nodes": [ids], "focal": [ids], ...}
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-done_at"]
        verbose_name = _("bàn giao nhiệm vụ")
        verbose_name_plural = _("bàn giao nhiệm vụ")

    def __str__(self) -> str:
        return f"{self.from_unit} → {self.to_unit} ({self.effective_on:%d/%m/%Y})"


class NodeHandOver(models.Model):
    """Who led a node before a hand-over: the history shows the old name."""

    hand_over = models.ForeignKey(HandOver, on_delete=models.PROTECT, related_name="nodes")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="hand_overs")
    role = models.CharField(max_length=16)  # "lead" or "focal" or "coordinating"

    def __str__(self) -> str:
        return f"{self.node} ({self.role})"


class DelegationKind(models.TextChoices):
    DELEGATION = "delegation", _("Phân cấp, ủy quyền")
    MECHANISM = "mechanism", _("Cơ chế, chính sách đặc thù")


class DelegationState(models.TextChoices):
    PROPOSED = "proposed", _("Đề xuất")
    STUDYING = "studying", _("Đang nghiên cứu")
    SUBMITTED = "submitted", _("Đã trình cấp có thẩm quyền")
    IN_EFFECT = "in_effect", _("Đã có hiệu lực")
    REJECTED = "rejected", _("Không được chấp thuận")


class Delegation(models.Model):
    """A power the province delegates to a unit, or a special mechanism proposed (R5)."""

    kind = models.CharField(_("loại"), max_length=16, choices=DelegationKind.choices)
    title = models.CharField(_("nội dung"), max_length=500)
    scope = models.TextField(_("phạm vi"), blank=True)
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("cấp phân cấp"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị được phân cấp, đề xuất"),
        on_delete=models.PROTECT,
        related_name="delegations",
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=500, blank=True)
    effective_on = models.DateField(_("ngày hiệu lực"), null=True, blank=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=DelegationState.choices,
        default=DelegationState.PROPOSED,
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("phục vụ chương trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegations",
    )
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["to_unit", "kind", "title"]
        verbose_name = _("phân cấp, cơ chế đặc thù")
        verbose_name_plural = _("phân cấp, cơ chế đặc thù")

    def __str__(self) -> str:
        return self.title
