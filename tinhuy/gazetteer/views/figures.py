"""Indicators and figures: tables, charts, downloads, yearly import, figure look-up."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
