"""Reminders (copyable text, escalation) and the per-unit ICS calendar feed."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
