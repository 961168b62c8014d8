"""The public site: home, chapters, entries, places, search, editions and what changed."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
