"""A programme as a draft of the Standing Board's meeting machinery (``meetings.subjects``):
each submitted version freezes the programme as data and as numbered text; it is neither
submitted nor issued while ``missing_for_approval`` lists anything; issuing approves it and
freezes its baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tinhuy.documents.numbers import format_number
from tinhuy.programs.models import FundingSource, Programme
from tinhuy.programs.queries import missing_for_approval, snapshot_of

if TYPE_CHECKING:
    from tinhuy.meetings.models import Draft
    from tinhuy.meetings.subjects import Issuing
    from tinhuy.org.access import AnyUser
    from tinhuy.register.models import RegisterEntry


def programme_of(draft: Draft) -> Programme | None:
    return Programme.objects.filter(draft=draft).select_related("focal_agency").first()


def programme_text(snapshot: dict[str, Any]) -> str:
    """The programme as plain text, one fact per line, for the Board to comment on."""
    sources = dict(FundingSource.choices)
    lines = [snapshot["title"]]
    if snapshot["source_decision"]:
        lines.append(_("Căn cứ: %(s)s") % {"s": snapshot["source_decision"]})
    start, end = snapshot["period"]
    if start or end:
        lines.append(_("Thời gian thực hiện: %(a)s – %(b)s") % {"a": start or "…", "b": end or "…"})
    lines.append(_("Cơ quan đầu mối: %(u)s") % {"u": snapshot["focal_agency"] or "—"})
    if snapshot["coordinating_units"]:
        lines.append(_("Đơn vị phối hợp: %(u)s") % {"u": ", ".join(snapshot["coordinating_units"])})
    if snapshot["goals"]:
        lines += ["", _("MỤC TIÊU"), snapshot["goals"]]
    lines += ["", _("NHIỆM VỤ, LỘ TRÌNH VÀ NGUỒN LỰC")]
    for node in snapshot["nodes"]:
        indent = "  " * node["depth"]
        emphasis = f" ({', '.join(node['emphasis'])})" if node["emphasis"] else ""
        lines.append(f"{indent}{node['code']}. {node['title']}{emphasis}".replace(" . ", " "))
        facts = []
        if node["lead_unit"]:
            facts.append(_("Chủ trì: %(u)s") % {"u": node["lead_unit"]})
        if node["coordinating_units"]:
            facts.append(_("Phối hợp: %(u)s") % {"u": ", ".join(node["coordinating_units"])})
        if node["responsible"]:
            facts.append(_("Người phụ trách: %(p)s") % {"p": node["responsible"]})
        if node["start_on"] or node["due_on"]:
            facts.append(
                _("Thời gian: %(a)s – %(b)s")
                % {"a": node["start_on"] or "…", "b": node["due_on"] or "…"}
            )
        if node["staff"]:
            facts.append(_("Nhân lực: %(n)s người") % {"n": node["staff"]})
        for source, year, amount in node["budget"]:
            facts.append(
                _("Kinh phí (%(s)s)%(y)s: %(a)s đồng")
                % {
                    "s": sources.get(source, source),
                    "y": f" {year}" if year else "",
                    "a": format_number(amount),
                }
            )
        for title, due_on in node["milestones"]:
            facts.append(_("Mốc %(d)s: %(t)s") % {"d": due_on, "t": title})
        for name, unit, baseline, targets in node["indicators"]:
            wanted = "; ".join(f"{year}: {format_number(value)}" for year, value in targets)
            facts.append(
                _("Chỉ tiêu %(n)s (%(u)s)%(b)s%(t)s")
                % {
                    "n": name,
                    "u": unit,
                    "b": _(", gốc %(v)s") % {"v": format_number(baseline)} if baseline else "",
                    "t": f" — {wanted}" if wanted else "",
                }
            )
        lines += [f"{indent}- {fact}" for fact in facts]
    return "\n".join(lines)


class ProgrammeSubject:
    kind = "programme"
    written_elsewhere = _lazy("Nội dung chương trình được soạn ở các trang của chương trình.")

    def snapshot(self, draft: Draft) -> dict[str, Any] | None:
        programme = programme_of(draft)
        return snapshot_of(programme) if programme is not None else None

    def text(self, snapshot: dict[str, Any]) -> str:
        return programme_text(snapshot)

    def blockers(self, draft: Draft) -> list[str]:
        programme = programme_of(draft)
        if programme is None:
            return [str(_("Dự thảo chưa gắn với chương trình nào."))]
        return [m.message for m in missing_for_approval(programme)]

    def issue(
        self, draft: Draft, issuing: Issuing, *, acting_user: AnyUser
    ) -> RegisterEntry | None:
        return None  # the draft takes the number; ``synced`` approves the programme

    def synced(self, draft: Draft) -> None:
        from tinhuy.programs.actions import sync_with_draft

        programme = programme_of(draft)
        if programme is not None:
            sync_with_draft(programme, draft)
