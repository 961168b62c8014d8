"""Admin views of study campaigns, read-only: plans, conferences and reports change through the
pages and API, whose actions keep revisions and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tinhuy.study.models import Conference, ConferenceReport, LevelRule, Member, Plan, Topic


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RuleInline(TopicInline):
    model = LevelRule  # type: ignore[assignment]
    fields = ("level", "audience", "length_sessions", "window_start", "deadline", "online_allowed")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "number", "issued_on", "state", "structure", "is_sample")
    list_filter = ("state", "structure")
    inlines = [TopicInline, RuleInline]


@admin.register(Conference)
class ConferenceAdmin(ReadOnlyAdmin):
    list_display = ("host", "date", "plan", "mode", "length_sessions", "cancelled_at")
    list_filter = ("plan", "mode")
    list_select_related = ("host", "plan")
    search_fields = ("host__name_folded", "host__code")


@admin.register(ConferenceReport)
class ConferenceReportAdmin(ReadOnlyAdmin):
    list_display = ("conference", "version", "reported_at", "expected_count", "attended_count")
    list_select_related = ("conference__host",)


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "member_code", "cell", "is_sample")
    search_fields = ("full_name", "member_code")
    list_select_related = ("cell",)
