"""The organisation: structures with ordered levels, a tree of units, people and memberships.

The tree is data. A reorganisation (e.g. the two-level local government of 1 July 2025) makes a
new ``Structure``; the units of the old one stay as they were, pointing at their successors, so
past campaigns keep their units.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhuy.org import lookups  # noqa: F401 - registers the path__subtree lookup
from tinhuy.search.text import fold, normalize, sort_key


class Structure(models.Model):
    """One organisation tree of the Party Committee, valid for a period."""

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    # A structure of many provinces: its top's figures are the sum of each province's (the
    # units right below the top), each computed from its own rows and kept while its data
    # version stands (``DataVersion``; ``tinhuy.study.queries.plan_progress``).
    roll_up_by_part = models.BooleanField(
        _("tổng hợp theo từng đơn vị trực thuộc cấp cao nhất"),
        default=False,
        help_text=_(
            "Dành cho cơ cấu nhiều tỉnh: số liệu toàn cơ cấu là tổng số liệu của từng tỉnh, "
            "mỗi tỉnh chỉ tính lại khi dữ liệu của tỉnh đó thay đổi."
        ),
    )

    class Meta:
        ordering = ["-valid_from", "code"]
        verbose_name = _("cơ cấu tổ chức")
        verbose_name_plural = _("cơ cấu tổ chức")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Every unit's province (``tinhuy.org.provinces``), and every row copied from it, was
        # written under the flag as it stands: changing it would leave them all wrong.
        if self.pk is None or not self.units.exists():
            return
        stored = Structure.objects.filter(pk=self.pk).values_list("roll_up_by_part", flat=True)
        if stored.first() != self.roll_up_by_part:
            raise ValidationError(
                {
                    "roll_up_by_part": _(
                        "Không đổi được cách tổng hợp khi cơ cấu đã có đơn vị: tỉnh của từng "
                        "đơn vị đã được ghi theo cách tổng hợp hiện tại."
                    )
                }
            )


class Level(models.Model):
    """A level of a structure, ordered from the top (1 = province)."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("cơ cấu"), on_delete=models.CASCADE, related_name="levels"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.SlugField(_("mã"), max_length=32)
    name = models.CharField(_("tên cấp"), max_length=100)

    class Meta:
        ordering = ["structure", "order"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "order"], name="level_order_unique"),
            models.UniqueConstraint(fields=["structure", "code"], name="level_code_unique"),
        ]
        verbose_name = _("cấp")
        verbose_name_plural = _("cấp")

    def __str__(self) -> str:
        return self.name


def province_field(*, null: bool = False) -> models.ForeignKey[Any]:
    """The ``province`` column of a large table: the province (``Unit.province``) of the unit,
    member or conference the row belongs to, filled by the action that writes the row. Not
    indexed: an index costs every insert of tables of hundreds of millions of rows, and no
    query reads by province yet (partitioning or distribution by it needs none)."""
    return models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        null=null,
        blank=null,
    )


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    CITY = "city", _("Thành phố")
    TOWN = "town", _("Thị xã")
    DISTRICT = "district", _("Huyện")
    BLOCK = "block", _("Khối")
    WARD = "ward", _("Phường")
    COMMUNE = "commune", _("Xã")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    TOWNSHIP = "township", _("Thị trấn")
    AGENCY = "agency", _("Cơ quan, đơn vị")
    # A committee's advisory board (Ban Tuyên giáo, Văn phòng …): it drafts and submits, and is
    # expected to hold no conference of its own (the Party organisation inside it is a unit).
    ADVISORY = "advisory", _("Cơ quan tham mưu, giúp việc cấp ủy")
    GRASSROOTS = "grassroots", _("Tổ chức cơ sở đảng")
    CELL = "cell", _("Chi bộ")


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        """The unit and everything below it."""
        return self.filter(path__subtree=unit.path)

    def matching(self, query: str) -> UnitQuerySet:
        """Units whose name or code contains the query, ignoring case, marks and đ/d."""
        folded = fold(query)
        if not folded:
            return self
        return self.filter(models.Q(name_folded__contains=folded) | models.Q(code__iexact=query))


class Unit(models.Model):
    """A Party organisation in a structure's tree.

    ``path`` is the materialised path of primary keys ("/1/17/230/"), so a subtree is one indexed
    prefix query. It is set by ``tinhuy.org.actions`` when the unit is created and never changes:
    a move is a reorganisation, which makes a new structure.
    """

    structure = models.ForeignKey(
        Structure, verbose_name=_("cơ cấu"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.CharField(_("mã"), max_length=64)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices)
    level = models.ForeignKey(
        Level, verbose_name=_("cấp"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The province (``tinhuy.org.provinces``; the unit itself at a province's top), copied onto
    # every large table so that partitioning and distribution by province need no rewrite.
    province = province_field()
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        symmetrical=False,
        blank=True,
        related_name="predecessors",
    )
    is_sample = models.BooleanField(
        _("dữ liệu minh họa"),
        default=False,
        help_text=_("Đơn vị sinh tự động để minh họa, không phải đơn vị có thật."),
    )
    # How many Party members the unit has: the people its conference must reach when no member
    # list is loaded and no report says so (``tinhuy.study.queries.plan_progress``). Unknown
    # (null) is not zero: the dashboard says the figure is missing instead of guessing.
    headcount = models.PositiveIntegerField(
        _("số đảng viên"),
        null=True,
        blank=True,
        help_text=_(
            "Số đảng viên của đơn vị: số người phải học tập khi chưa nạp danh sách đảng viên "
            "và đơn vị chưa báo cáo."
        ),
    )
    headcount_is_sample = models.BooleanField(_("số đảng viên là số liệu minh họa"), default=False)
    # Derived from name on save: the diacritic-free search key and the Vietnamese sort key.
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    name_sort = models.CharField(max_length=1024, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name_sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "code"], name="unit_code_unique"),
        ]
        indexes = [
            models.Index(fields=["parent", "name_sort"], name="unit_children_sorted"),
            # Lists of a structure in name order page through this index instead of sorting.
            models.Index(fields=["structure", "name_sort", "id"], name="unit_structure_sorted"),
        ]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_folded", "name_sort"}
        super().save(*args, **kwargs)

    def set_derived_fields(self) -> None:
        self.name = normalize(self.name)
        self.name_folded = fold(self.name)
        self.name_sort = sort_key(self.name)[:1024]

    @property
    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent, read from the path."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1]]


class Person(models.Model):
    """A named person holding a position in a unit; names in Vietnamese order (family first)."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="people"
    )
    is_sample = models.BooleanField(_("dữ liệu minh họa"), default=False)
    name_sort = models.CharField(max_length=1024, editable=False)

    class Meta:
        ordering = ["name_sort", "id"]
        verbose_name = _("cán bộ")
        verbose_name_plural = _("cán bộ")

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_name = normalize(self.full_name)
        self.name_sort = person_sort_key(self.full_name)
        super().save(*args, **kwargs)


def person_sort_key(full_name: str) -> str:
    """Vietnamese people are sorted by given name (the last word), then by the whole name."""
    given = full_name.rsplit(" ", 1)[-1]
    return f"{sort_key(given)}01{sort_key(full_name)}"[:1024]


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("Quản trị Văn phòng Tỉnh ủy")
    OFFICE_OFFICER = "office_officer", _("Cán bộ văn phòng đơn vị")
    UNIT_HEAD = "unit_head", _("Bí thư / Thủ trưởng đơn vị")
    BOARD_MEMBER = "board_member", _("Ủy viên Ban Thường vụ")
    GAZETTEER_EDITOR = "gazetteer_editor", _("Biên tập viên Địa chí")


class Membership(models.Model):
    """A user's role in a unit; the user's scope is the union of their units' subtrees."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
        ]
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class DataVersion(models.Model):
    """How many changes the audit log has recorded under a part of a structure: under a unit
    right below the structure's top (a province of a national structure; ``part`` is its id),
    or anywhere in it (``part`` 0). Every ``tinhuy.audit.actions.record`` moves the versions
    its unit falls under, in the acting transaction; a result computed from a part's data
    (``tinhuy.study.queries``: a province's progress in a national campaign) is reused while the
    versions it was computed at stand."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    # A unit's id, or 0 for the structure as a whole; minus a unit's id counts those of its own
    # changes that reach no unit below it (``tinhuy.org.versions.own_part``).
    part = models.BigIntegerField()
    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["structure", "part"], name="data_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.structure_id}/{self.part} v{self.version}"
