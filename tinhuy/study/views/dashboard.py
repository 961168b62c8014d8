"""The progress dashboard, the unit table (.xlsx) and the summary report (.docx)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
