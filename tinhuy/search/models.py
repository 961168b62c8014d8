"""The searchable documents. The full-text index itself is engine-specific (an FTS5 table on
SQLite, tsvector columns with GIN indexes on PostgreSQL: see the migration and ``backends``)."""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    """One searchable thing (a published gazetteer entry), with the facets results filter on.

    ``exact`` and ``folded`` hold the normalised text (title first), kept and folded.
    """

    key = models.CharField(max_length=200, unique=True)  # "entry:song-lam"
    kind = models.CharField(max_length=32, db_index=True)  # entry kind: place, person, …
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=500)
    chapter = models.CharField(max_length=500, blank=True, db_index=True)  # chapter path
    places = models.CharField(max_length=2000, blank=True)  # "|412|429|": place codes
    period = models.CharField(max_length=100, blank=True)
    body = models.TextField()  # normalised, as written: the source of snippets
    title_exact = models.TextField()
    title_folded = models.TextField()
    body_exact = models.TextField()
    body_folded = models.TextField()

    def __str__(self) -> str:
        return self.key
