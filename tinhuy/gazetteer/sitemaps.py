"""``/dia-chi/sitemap.xml``: the latest edition's entry pages and the pages of the places it
covers (places named by its entries or with figures in it), at their permanent URLs."""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path

import django.contrib.sitemaps
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.template.backends.django import Template
from django.urls import reverse
from django.views.decorators.http import require_safe

from tinhuy.gazetteer.actions import entry_url
from tinhuy.gazetteer.models import Edition, EditionEntry, EditionObservation, Place
from tinhuy.gazetteer.queries import latest_edition


class _EditionSitemap(Sitemap):
    """Pages of the latest edition; items are (year, key) pairs, lastmod is its publication."""

    changefreq = "yearly"

    def __init__(self) -> None:
        self.edition: Edition | None = latest_edition()
        self._loaded: list[tuple[int, str]] | None = None

    def keys(self, edition: Edition) -> list[str]:
        raise NotImplementedError

    def items(self) -> list[tuple[int, str]]:
        # Django asks for the items more than once per request: load them once.
        if self._loaded is None:
            edition = self.edition
            keys = [] if edition is None else self.keys(edition)
            self._loaded = [(edition.year, key) for key in keys] if edition else []
        return self._loaded

    def lastmod(self, item: tuple[int, str]) -> datetime.datetime | None:
        return self.edition.published_at if self.edition else None


class EntrySitemap(_EditionSitemap):
    priority = 0.8

    def keys(self, edition: Edition) -> list[str]:
        return list(
            EditionEntry.objects.filter(edition=edition)
            .order_by("slug")
            .values_list("slug", flat=True)
        )

    def location(self, item: tuple[int, str]) -> str:
        return entry_url(*item)


class PlaceSitemap(_EditionSitemap):
    priority = 0.5

    def keys(self, edition: Edition) -> list[str]:
        codes: set[str] = set()
        for place_codes in EditionEntry.objects.filter(edition=edition).values_list(
            "revision__place_codes", flat=True
        ):
            codes.update(place_codes or ())
        codes.update(
            EditionObservation.objects.filter(edition=edition)
            .values_list("place__code", flat=True)
            .distinct()
        )
        # Only places that exist: a revision may name a code that was later removed.
        return list(
            Place.objects.filter(code__in=codes).order_by("code").values_list("code", flat=True)
        )

    def location(self, item: tuple[int, str]) -> str:
        return reverse("gazetteer_place", kwargs={"year": item[0], "code": item[1]})


SITEMAPS = {"entries": EntrySitemap, "places": PlaceSitemap}


@cache
def _template() -> Template:
    # Django's own sitemap.xml template, loaded by path: its app "django.contrib.sitemaps" is
    # not in INSTALLED_APPS, so the template loaders would not find it by name.
    source = Path(django.contrib.sitemaps.__file__).parent / "templates" / "sitemap.xml"
    return engines["django"].from_string(source.read_text(encoding="utf-8"))  # type: ignore[return-value]


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    return sitemap_view(request, SITEMAPS, template_name=_template())  # type: ignore[arg-type]
