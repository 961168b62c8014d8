"""Editor pages: write and review entries, revisions and diffs, publish editions."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
