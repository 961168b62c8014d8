"""The digital gazetteer ("Địa chí Nghệ An"): chapters, entries with sources and revisions,
places, indicators and yearly observations, and editions that freeze what the public sees.

Editors work on entries and figures; citizens see only what the latest published ``Edition``
froze (older editions stay browsable at their own URLs, so a citation never breaks).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhuy.search.text import fold, normalize, sort_key


class PlaceKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    CITY = "city", _("Thành phố")
    TOWN = "town", _("Thị xã")
    DISTRICT = "district", _("Huyện")
    WARD = "ward", _("Phường")
    COMMUNE = "commune", _("Xã")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")


class Place(models.Model):
    """An administrative unit a gazetteer entry or figure is about, current or historical."""

    code = models.CharField(_("mã"), max_length=16, unique=True)
    name = models.CharField(_("tên"), max_length=150)  # "Nghi Lộc"
    kind = models.CharField(_("loại"), max_length=16, choices=PlaceKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    name_folded = models.CharField(max_length=150, db_index=True, editable=False)
    name_sort = models.CharField(max_length=512, editable=False)

    class Meta:
        ordering = ["name_sort", "code"]
        verbose_name = _("địa danh")
        verbose_name_plural = _("địa danh")

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = normalize(self.name)
        self.name_folded = fold(self.name)
        self.name_sort = sort_key(self.name)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        """'Huyện Nghi Lộc', 'Thành phố Vinh', 'Tỉnh Nghệ An'."""
        return f"{self.get_kind_display()} {self.name}"


class Chapter(models.Model):
    """A chapter of the gazetteer; chapters nest ("dia-ly/song-ngoi")."""

    slug = models.SlugField(_("mã"), max_length=100)
    title = models.CharField(_("tên chương"), max_length=255)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    path = models.CharField(max_length=500, unique=True, editable=False)  # "dia-ly/song-ngoi"

    class Meta:
        ordering = ["path"]
        verbose_name = _("chương")
        verbose_name_plural = _("chương")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = f"{self.parent.path}/{self.slug}" if self.parent else self.slug
        super().save(*args, **kwargs)


class EntryKind(models.TextChoices):
    PLACE = "place", _("Địa danh")
    PERSON = "person", _("Nhân vật")
    EVENT = "event", _("Sự kiện")
    INSTITUTION = "institution", _("Thiết chế, tổ chức")
    TOPIC = "topic", _("Chủ đề")


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    REVIEWED = "reviewed", _("Đã thẩm định")
    PUBLISHED = "published", _("Đã duyệt đăng")


class Entry(models.Model):
    """The working copy an editor changes. Every save through an action adds a revision."""

    slug = models.SlugField(_("đường dẫn"), max_length=150, unique=True)
    title = models.CharField(_("tiêu đề"), max_length=255)
    kind = models.CharField(_("loại"), max_length=16, choices=EntryKind.choices)
    chapter = models.ForeignKey(
        Chapter, verbose_name=_("chương"), on_delete=models.PROTECT, related_name="entries"
    )
    places = models.ManyToManyField(Place, verbose_name=_("địa danh liên quan"), blank=True)
    period = models.CharField(_("thời kỳ"), max_length=100, blank=True)
    body = models.TextField(_("nội dung (Markdown)"))
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=EntryState.choices, default=EntryState.DRAFT
    )
    revision = models.PositiveIntegerField(_("phiên bản"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("mục từ")
        verbose_name_plural = _("mục từ")

    def __str__(self) -> str:
        return self.title


class Source(models.Model):
    """A full citation of a source the entry rests on."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="sources")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("tên tài liệu"), max_length=500)
    author = models.CharField(_("tác giả"), max_length=255, blank=True)
    year = models.CharField(_("năm"), max_length=16, blank=True)
    publisher = models.CharField(_("nhà xuất bản / cơ quan"), max_length=255, blank=True)
    url = models.URLField(_("địa chỉ"), max_length=500, blank=True)
    pages = models.CharField(_("trang"), max_length=50, blank=True)

    class Meta:
        ordering = ["entry", "order"]
        verbose_name = _("nguồn")
        verbose_name_plural = _("nguồn")

    def __str__(self) -> str:
        return self.title


class EntryImage(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="images")
    # A FileField, not ImageField: Pillow is not a dependency; uploads are checked by type.
    image = models.FileField(_("ảnh"), upload_to="gazetteer/")
    caption = models.CharField(_("chú thích"), max_length=500)
    credit = models.CharField(_("nguồn ảnh"), max_length=255)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["entry", "order"]
        verbose_name = _("ảnh")
        verbose_name_plural = _("ảnh")

    def __str__(self) -> str:
        return self.caption


class EntryRevision(models.Model):
    """A frozen copy of an entry as saved; editions point at revisions."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    chapter_path = models.CharField(max_length=500)
    period = models.CharField(max_length=100, blank=True)
    body = models.TextField()
    place_codes = models.JSONField(default=list)
    sources = models.JSONField(default=list)  # [{title, author, year, publisher, url, pages}]
    state = models.CharField(max_length=16, choices=EntryState.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["entry", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="entry_revision_unique")
        ]
        verbose_name = _("phiên bản mục từ")
        verbose_name_plural = _("phiên bản mục từ")

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class Indicator(models.Model):
    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên chỉ tiêu"), max_length=255)
    unit = models.CharField(_("đơn vị tính"), max_length=64)
    definition = models.TextField(_("định nghĩa"), blank=True)
    name_folded = models.CharField(max_length=255, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = normalize(self.name)
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class Observation(models.Model):
    """One figure: indicator × place × year → value, with its source. Sample figures say so."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="observations")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="observations")
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=4)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    is_sample = models.BooleanField(_("số liệu minh họa"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "place", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "place", "year"], name="observation_unique"
            )
        ]
        indexes = [models.Index(fields=["place", "indicator", "year"], name="observation_place")]
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")

    def __str__(self) -> str:
        return f"{self.indicator} — {self.place} — {self.year}"


class Edition(models.Model):
    """One published edition per year: it freezes the entries and figures the public sees."""

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    title = models.CharField(_("tên ấn bản"), max_length=255)
    notes = models.TextField(_("ghi chú"), blank=True)
    published_at = models.DateTimeField(_("công bố lúc"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("ấn bản")
        verbose_name_plural = _("ấn bản")

    def __str__(self) -> str:
        return self.title


class EditionEntry(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="entries")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey(EntryRevision, on_delete=models.PROTECT, related_name="+")
    slug = models.SlugField(max_length=150)
    # The entry's images as published: [{"file", "caption", "credit"}], in order. A later
    # change to the images (or their captions) does not change an edition's page.
    images = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="edition_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.edition}: {self.slug}"


class EditionObservation(models.Model):
    """A figure as the edition published it (a later correction does not change it)."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="observations")
    observation = models.ForeignKey(Observation, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=20, decimal_places=4)
    source = models.CharField(max_length=500, blank=True)
    note = models.CharField(max_length=500, blank=True)
    is_sample = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "indicator", "place", "year"], name="edition_observation_unique"
            )
        ]
        indexes = [
            models.Index(fields=["edition", "place", "indicator", "year"], name="edobs_place"),
        ]

    def __str__(self) -> str:
        return f"{self.edition}: {self.indicator} {self.place} {self.year}"


class CatalogueVersion(models.Model):
    """A counter the actions bump whenever places or indicators change.

    The figure look-up keeps the places and indicators of an edition in the cache, keyed on this
    number (and on the edition): every process sees the same number, so a save in one process
    retires what all of them kept, without a message between them.
    """

    name = models.CharField(max_length=32, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
