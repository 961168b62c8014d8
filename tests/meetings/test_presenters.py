"""The rows the meetings pages build in Python (``tinhuy.meetings.presenters``): every value
escaped as ``format_html`` would, dates dd/mm/yyyy, each row's own address, and the templates'
labels in Vietnamese and in English."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from tinhuy.meetings import actions, queries
from tinhuy.meetings.models import DispositionKind, FollowUpState, Outcome
from tinhuy.meetings.presenters import (
    agenda_cards,
    disposition_table_rows,
    follow_up_items,
)
from tinhuy.meetings.queries import AgendaLine, DispositionLine, FollowUpLine
from tinhuy.presenting import html as row_html
from tinhuy.presenting import url_for

from .conftest import Board

EVIL = '<script>alert("x")</script> & “trích”'  # what a value must never become: markup
SAFE = html.escape(EVIL)
TODAY = datetime.date(2026, 3, 1)
CONCLUDED = datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC)


def follow_up(
    pk: int = 7, *, due: datetime.date = datetime.date(2026, 2, 6), state: str = "open"
) -> FollowUpLine:
    return FollowUpLine(pk, 3, EVIL, EVIL + " (đơn vị)", EVIL + " (người)", due, state)


def item(**changes: Any) -> AgendaLine:
    line = AgendaLine(11, 2, 5, EVIL, EVIL, 3, 30, EVIL, Outcome.APPROVED, CONCLUDED)
    return line._replace(**changes)


def test_html_escapes_like_format_html() -> None:
    """Text is escaped, safe HTML is kept, numbers and dates pass (a date formatted by the
    template)."""
    mark = format_html("<b>{}</b>", "đậm")
    assert row_html("{} {} {} {:%d/%m/%Y}", EVIL, mark, 42, TODAY) == (
        f"{SAFE} <b>đậm</b> 42 01/03/2026"
    )
    assert row_html("{}", EVIL) == format_html("{}", EVIL)


def test_an_address_for_many_ids_is_the_reversed_one() -> None:
    url = url_for("meetings_follow_up", "follow_up_id")
    assert [url(n) for n in (1, 42, 987)] == [
        reverse("meetings_follow_up", args=[n]) for n in (1, 42, 987)
    ]


def test_every_value_of_a_follow_up_row_is_escaped() -> None:
    rows = follow_up_items({3: [follow_up()]}, TODAY)[3]
    assert "<script>" not in rows
    assert rows.count(SAFE) == 3  # what, the unit, the person
    assert f'href="{reverse("meetings_follow_up", args=[7])}"' in rows
    assert "hạn 06/02/2026" in rows


def test_a_follow_up_is_overdue_after_its_day_and_done_when_closed() -> None:
    rows = follow_up_items(
        {
            1: [follow_up(1, due=TODAY - datetime.timedelta(days=1))],
            2: [follow_up(2, due=TODAY)],
            3: [follow_up(3, due=TODAY - datetime.timedelta(days=9), state=FollowUpState.DONE)],
        },
        TODAY,
    )
    assert "Quá hạn" in rows[1] and "Đã hoàn thành" not in rows[1]
    assert "Quá hạn" not in rows[2] and "Đã hoàn thành" not in rows[2]
    assert "Đã hoàn thành" in rows[3] and "Quá hạn" not in rows[3]
    with translation.override("en"):
        assert "Overdue" in follow_up_items({1: [follow_up(1)]}, TODAY)[1]


def test_an_agenda_card_escapes_its_values_and_links_the_version_heard() -> None:
    (card,) = agenda_cards([item()], {11: [follow_up()]}, TODAY, runs_meetings=True)
    assert "<script>" not in card
    assert card.count(SAFE) == 3 + 3  # title, unit, conclusion; the follow-up's three
    assert 'id="noi-dung-2"' in card
    assert f'href="{reverse("meetings_draft", args=[5])}?lan=3"' in card
    assert f"{SAFE} · lần trình 3 · 30 ý kiến góp ý" in card
    assert "Thông qua" in card and "Việc giao" in card
    assert reverse("meetings_item_follow_up", args=[11]) in card  # "Giao thêm việc"
    assert reverse("meetings_item_conclude", args=[11]) not in card


def test_an_agenda_card_before_the_conclusion_offers_to_conclude_to_the_office_only() -> None:
    waiting = item(concluded_at=None, conclusion="", outcome="", opinion_count=1)
    (office,) = agenda_cards([waiting], {}, TODAY, runs_meetings=True)
    (member,) = agenda_cards([waiting], {}, TODAY, runs_meetings=False)
    assert "Chưa có kết luận." in office and "Việc giao" not in office
    assert reverse("meetings_item_conclude", args=[11]) in office
    assert "btn" not in member and "Chưa có kết luận." in member


def test_an_agenda_card_in_english_counts_comments_in_the_plural() -> None:
    with translation.override("en"):
        (one,) = agenda_cards([item(opinion_count=1)], {}, TODAY, runs_meetings=False)
        (many,) = agenda_cards([item()], {}, TODAY, runs_meetings=False)
    assert "version 3 · 1 comment</p>" in one
    assert "version 3 · 30 comments</p>" in many
    assert "Approved" in many


def test_a_disposition_row_shows_its_lines_answer_and_wording_escaped() -> None:
    rows = [
        DispositionLine(None, None, EVIL, EVIL, "", None, None),
        DispositionLine(12, 14, "Ủy viên A", "Ý kiến", EVIL, DispositionKind.PARTLY, EVIL),
        DispositionLine(7, 7, "Ủy viên B", "Ý kiến", "", DispositionKind.ACCEPTED, ""),
    ]
    table = disposition_table_rows(rows)
    assert "<script>" not in table
    assert table.count(SAFE) == 4  # author and text; the proposed wording, the explanation
    first, second, third = table.split("</tr>")[:3]
    assert "<td>1</td>" in first and "chung" in first and "Chưa trả lời" in first
    assert '<a href="#L12">12–14</a>' in second and "Tiếp thu một phần" in second
    assert "Đề nghị sửa thành:" in second
    assert '<a href="#L7">7</a>' in third and "Tiếp thu</td>" in third
    with translation.override("en"):
        english = disposition_table_rows(rows)
    assert "Partly accepted" in english and "general" in english and "Not answered" in english


@pytest.mark.django_db
def test_the_disposition_table_rows_are_those_of_the_opinions_read_whole(
    draft: Any, board: Board, personas: Any
) -> None:
    """The table page reads rows (``disposition_table``), the draft page opinions
    (``disposition_rows``): the same rows, in the same order."""
    version = actions.do_submit_version(draft, acting_user=board.officer)
    for text, lines in [("Chung.", (None, None)), ("Dòng 5.", (5, 6)), ("Dòng 2.", (2, 2))]:
        actions.do_give_opinion(
            version,
            text=text,
            line_from=lines[0],
            line_to=lines[1],
            proposed_text="Sửa thành thế này." if lines[0] == 5 else "",
            acting_user=personas.board_member,
        )
    first = version.opinions.order_by("id").first()
    assert first is not None
    actions.do_dispose(
        first, kind=DispositionKind.NOT_ACCEPTED, explanation="Vì…", acting_user=board.officer
    )
    read_whole = [DispositionLine.of(o) for o in queries.disposition_rows(version)]
    assert queries.disposition_table(version) == read_whole
    assert [row.text for row in read_whole] == ["Chung.", "Dòng 2.", "Dòng 5."]
    assert read_whole[0].kind == DispositionKind.NOT_ACCEPTED
    assert read_whole[1].kind is None and read_whole[1].explanation is None
