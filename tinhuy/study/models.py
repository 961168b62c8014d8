"""Study and dissemination campaigns ("học tập, quán triệt Nghị quyết").

A ``Plan`` runs on one organisation structure. For each level it covers, a ``LevelRule`` states
the audience, length, window, deadline and whether online study with bridge points is allowed.
Nobody types who is expected: every unit at a rule's level is expected to host a conference,
and every unit at one of the rule's participant levels (e.g. the districts, whose key cadres
attend the province conference) is expected to take part in one hosted above it, usually as a
bridge point. ``tinhuy.study.compliance`` computes the rest from what units report.

Reports are revisions: a correction adds a new ``ConferenceReport`` with a higher version, so
any figure can be replayed as it was known on a given date.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhuy.org.models import Level, Structure, Unit, province_field


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ISSUED = "issued", _("Đã ban hành")
    CLOSED = "closed", _("Đã kết thúc")


class Plan(models.Model):
    title = models.CharField(_("tên kế hoạch"), max_length=500)
    source_document = models.CharField(_("văn bản được quán triệt"), max_length=500)
    structure = models.ForeignKey(
        Structure, verbose_name=_("cơ cấu tổ chức"), on_delete=models.PROTECT, related_name="plans"
    )
    issuing_unit = models.ForeignKey(
        Unit, verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("số, ký hiệu"), max_length=50, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=100, default="Nghệ An")
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT
    )
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("kế hoạch học tập, quán triệt")
        verbose_name_plural = _("kế hoạch học tập, quán triệt")

    def __str__(self) -> str:
        return self.title


class Topic(models.Model):
    """A thematic topic ("chuyên đề") to be presented at every conference."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="topics")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("chuyên đề"), max_length=500)
    documents = models.TextField(_("tài liệu"), blank=True)

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="topic_order_unique")]
        verbose_name = _("chuyên đề")
        verbose_name_plural = _("chuyên đề")

    def __str__(self) -> str:
        return self.title


class LevelRule(models.Model):
    """What the plan asks of the conferences at one level."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rules")
    level = models.ForeignKey(
        Level, verbose_name=_("cấp"), on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField(_("đối tượng"), max_length=500)
    # Half-day sessions ("buổi"): one day is two sessions.
    length_sessions = models.PositiveSmallIntegerField(_("thời lượng (buổi)"))
    window_start = models.DateField(_("bắt đầu"))
    deadline = models.DateField(_("hạn hoàn thành"))
    online_allowed = models.BooleanField(_("cho phép học trực tuyến có điểm cầu"), default=False)
    # Units of these (lower) levels take part in this level's conferences, e.g. the district
    # committees' key cadres at the province conference, in the hall or at a bridge point.
    participant_levels = models.ManyToManyField(
        Level, verbose_name=_("cấp dự cùng"), blank=True, related_name="+"
    )
    # The presenter rule of the plan: an invited higher-level presenter introduces only the
    # Resolution and the province's Action Programme; the unit's own plan is presented by its
    # Secretary, Chair or head.
    presenter_rule = models.BooleanField(_("áp dụng quy định báo cáo viên"), default=True)

    class Meta:
        ordering = ["plan", "level__order"]
        constraints = [models.UniqueConstraint(fields=["plan", "level"], name="rule_level_unique")]
        verbose_name = _("quy định theo cấp")
        verbose_name_plural = _("quy định theo cấp")

    def __str__(self) -> str:
        return f"{self.plan} — {self.level}"


class ConferenceMode(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    HYBRID = "hybrid", _("Trực tiếp kết hợp trực tuyến")


class Conference(models.Model):
    """A conference hosted by a unit for one level of a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="conferences")
    rule = models.ForeignKey(LevelRule, on_delete=models.PROTECT, related_name="conferences")
    host = models.ForeignKey(
        Unit, verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="+"
    )
    province = province_field()  # the host's
    date = models.DateField(_("ngày tổ chức"))
    start_time = models.TimeField(_("giờ bắt đầu"), null=True, blank=True)
    length_sessions = models.PositiveSmallIntegerField(_("thời lượng (buổi)"))
    mode = models.CharField(
        _("hình thức"),
        max_length=16,
        choices=ConferenceMode.choices,
        default=ConferenceMode.IN_PERSON,
    )
    venue = models.CharField(_("địa điểm"), max_length=255, blank=True)
    # When the system learned of the conference: what is known "as of" a date starts here.
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.TextField(_("lý do hủy"), blank=True)
    # What the plan's rule for the level found wrong when the conference was registered or last
    # edited ([{"rule": "mode", "message": "…"}, …]), and who saw it and saved anyway: a
    # registration with problems is saved only once a person confirms them (a loader writing
    # sample data records them unconfirmed, ``confirmed_by`` empty).
    rule_problems = models.JSONField(_("vấn đề so với quy định"), default=list, blank=True)
    problems_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận vẫn lưu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    problems_confirmed_at = models.DateTimeField(_("xác nhận vẫn lưu lúc"), null=True, blank=True)
    edited_at = models.DateTimeField(_("sửa lần cuối lúc"), null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["plan", "host"], name="conference_plan_host")]
        verbose_name = _("hội nghị")
        verbose_name_plural = _("hội nghị")

    def __str__(self) -> str:
        return f"{self.host} — {self.date:%d/%m/%Y}"


class ContentKind(models.TextChoices):
    RESOLUTION = "resolution", _("Nghị quyết")
    ACTION_PROGRAMME = "action_programme", _("Chương trình hành động của tỉnh")
    OWN_PLAN = "own_plan", _("Kế hoạch thực hiện của đơn vị")


class PresenterRole(models.TextChoices):
    SECRETARY = "secretary", _("Bí thư")
    DEPUTY_SECRETARY = "deputy_secretary", _("Phó Bí thư")
    CHAIR = "chair", _("Chủ tịch")
    HEAD = "head", _("Thủ trưởng")
    REPORTER = "reporter", _("Báo cáo viên")
    OTHER = "other", _("Khác")


# Who may present the unit's own plan (the article: "Bí thư, Chủ tịch, thủ trưởng").
HEAD_ROLES = frozenset({PresenterRole.SECRETARY, PresenterRole.CHAIR, PresenterRole.HEAD})


class AgendaSegment(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="segments")
    province = province_field()  # the conference's
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("chuyên đề"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_kind = models.CharField(_("nội dung"), max_length=32, choices=ContentKind.choices)
    presenter_name = models.CharField(_("báo cáo viên"), max_length=150)
    presenter_role = models.CharField(_("chức danh"), max_length=32, choices=PresenterRole.choices)
    presenter_position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    presenter_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị của báo cáo viên"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["conference", "order"]
        verbose_name = _("nội dung hội nghị")
        verbose_name_plural = _("nội dung hội nghị")

    def __str__(self) -> str:
        return f"{self.get_content_kind_display()} — {self.presenter_name}"


class BridgePoint(models.Model):
    """A remote site ("điểm cầu") of an online conference, run by a unit below the host."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="bridge_points"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    venue = models.CharField(_("địa điểm"), max_length=255, blank=True)
    province = province_field()  # the bridge unit's (a national conference spans provinces)
    host_person = models.CharField(_("người chủ trì điểm cầu"), max_length=150, blank=True)
    expected_count = models.PositiveIntegerField(_("số người phải dự"))
    attended_count = models.PositiveIntegerField(_("số người dự"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "unit"], name="bridge_point_unique")
        ]
        verbose_name = _("điểm cầu")
        verbose_name_plural = _("điểm cầu")

    def __str__(self) -> str:
        return f"{self.unit} ({self.conference})"


class ConferenceReport(models.Model):
    """What the host reported after the conference; a correction is a new, higher version."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="reports")
    province = province_field()  # the conference's
    version = models.PositiveSmallIntegerField(default=1)
    reported_at = models.DateTimeField(_("báo cáo lúc"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expected_count = models.PositiveIntegerField(_("số người phải dự"))
    attended_count = models.PositiveIntegerField(_("số người dự"))
    made_up_count = models.PositiveIntegerField(_("số người học bù"), default=0)
    reflections_count = models.PositiveIntegerField(_("số bài thu hoạch"), default=0)
    absence_notes = models.TextField(_("vắng mặt và lý do"), blank=True)
    minutes = models.TextField(_("biên bản, ghi chú"), blank=True)
    # {bridge unit id: attended} as of this revision.
    bridge_attended = models.JSONField(_("số người dự tại các điểm cầu"), default=dict, blank=True)

    class Meta:
        ordering = ["conference", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "version"], name="report_version_unique"),
            models.CheckConstraint(
                condition=models.Q(attended_count__lte=models.F("expected_count")),
                name="report_attended_le_expected",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    made_up_count__lte=models.F("expected_count") - models.F("attended_count")
                ),
                name="report_made_up_le_absent",
            ),
        ]
        verbose_name = _("báo cáo kết quả")
        verbose_name_plural = _("báo cáo kết quả")

    def __str__(self) -> str:
        return f"{self.conference} v{self.version}"


class Member(models.Model):
    """A Party member of a cell, loaded when a unit wants per-person attendance."""

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="+")
    cell = models.ForeignKey(
        Unit, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="members"
    )
    province = province_field()  # the cell's
    member_code = models.CharField(_("số thẻ đảng viên"), max_length=32)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    # The cell's path, copied so attendance can be rolled up a subtree without a join.
    cell_path = models.CharField(max_length=255, db_index=True)
    # Members are only ever added (a member on another cell is refused), so the members known
    # on a date are those loaded before it: progress replays "expected" as it was then.
    loaded_at = models.DateTimeField(_("nạp lúc"), default=timezone.now)
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["structure", "member_code"], name="member_code_unique")
        ]
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")

    def __str__(self) -> str:
        return self.full_name


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    ABSENT = "absent", _("Vắng")
    MADE_UP = "made_up", _("Vắng, đã học bù")


class Attendance(models.Model):
    """Per-person attendance, where the members of the host's cells are loaded."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    # The member's, not the conference's: a national conference's attendance is spread over
    # the provinces, each province's rows with its members.
    province = province_field()
    status = models.CharField(max_length=16, choices=AttendanceStatus.choices)
    reason = models.CharField(_("lý do vắng"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "member"], name="attendance_unique")
        ]
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")

    def __str__(self) -> str:
        return f"{self.member} — {self.get_status_display()}"


def _invitee_token() -> str:
    return secrets.token_urlsafe(16)


class Invitee(models.Model):
    """A person invited to a conference by name (the province conference's guest list), with the
    token of the QR code printed on the invitation and scanned at the door."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="invitees")
    province = province_field()  # the conference's
    order = models.PositiveIntegerField(_("thứ tự"))
    full_name = models.CharField(_("họ và tên"), max_length=150)
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    organisation = models.CharField(_("đơn vị"), max_length=255, blank=True)
    token = models.CharField(max_length=32, unique=True, default=_invitee_token, editable=False)
    checked_in_at = models.DateTimeField(_("có mặt lúc"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["conference", "order"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "order"], name="invitee_order_unique")
        ]
        verbose_name = _("khách mời")
        verbose_name_plural = _("khách mời")

    def __str__(self) -> str:
        return self.full_name


class AttendanceTally(models.Model):
    """How many attendance rows of a conference one recording wrote with one status. Progress
    sums these few rows instead of counting every person's row (``make bench``: 225,000); the
    recording time is kept so that "as of a date" still replays what was known then."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=AttendanceStatus.choices)
    recorded_at = models.DateTimeField()
    province = province_field()  # the conference's
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["conference", "recorded_at"], name="tally_conference")]

    def __str__(self) -> str:
        return f"{self.conference_id} {self.status} × {self.count}"


class MemberTally(models.Model):
    """How many members of a cell one load added (members are only ever added), kept for the
    same reason as ``AttendanceTally``: the members under a host, as known on a date."""

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="+")
    # Indexed on its own too, so that PostgreSQL answers "the members under a unit" (a LIKE
    # on the path's prefix) from its pattern index instead of reading a national table.
    cell_path = models.CharField(max_length=255, db_index=True)
    loaded_at = models.DateTimeField()
    province = province_field()  # the cell's
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["structure", "cell_path"], name="member_tally_structure")]

    def __str__(self) -> str:
        return f"{self.cell_path} × {self.count}"


class KeptPart(models.Model):
    """One province's progress under a national plan, as computed for one date, kept in the
    database so that every worker (and ``tinhuy study-warm``, run after midnight and after a
    deploy) shares it: at the top of a structure of many provinces the national figure is the
    sum of these (``tinhuy.study.parts``). Derived data: it is never edited, only replaced.

    ``key`` names everything the part was computed from — plan and state, the province, the
    date, the scope, the language and the data versions of ``tinhuy.org.versions`` — so a
    change anywhere under the province makes a new key, and the old part is never read again.
    Being in the database, a part is restored, rolled back and thrown away with the data it
    was computed from."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True)
    # The part without its versions: one row per slot, the newest.
    slot = models.CharField(max_length=64, db_index=True)
    as_of = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.plan_id} {self.as_of} {self.key[:12]}"
