"""Plan list and plan detail pages, and the issued plan as a Party-format .docx."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
