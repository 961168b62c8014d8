"""Registering conferences, reporting on them (form and Excel upload), conference pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
