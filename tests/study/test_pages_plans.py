"""Plan list and plan detail pages, and the plan as a Party .docx (scope, content, queries).

Who sees which plan: the 2020 plan runs on the 2020 structure, so the province office, the Board
member and both district officers see it; the 2025 plan runs on today's structure, which only
the province office, the Board member and the editor see. Anyone else gets 404.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from tinhuy.study.views.plans import length_label


@pytest.fixture
def plan_urls(plan_2020, plan_2025):  # type: ignore[no-untyped-def]
    return {
        "detail_2020": reverse("study_plan", args=[plan_2020.pk]),
        "docx_2020": reverse("study_plan_docx", args=[plan_2020.pk]),
        "detail_2025": reverse("study_plan", args=[plan_2025.pk]),
        "docx_2025": reverse("study_plan_docx", args=[plan_2025.pk]),
    }


def test_anonymous_citizen_is_sent_to_log_in(client_for, personas, plan_urls) -> None:
    client = client_for(personas.citizen)
    for url in (reverse("study_plans"), *plan_urls.values()):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_plan_list_shows_the_plans_of_the_users_structures(
    client_for, personas, plan_2020, plan_2025
) -> None:
    """The Vinh officer sees the 2020 plan only; the province office sees both."""
    vinh = client_for(personas.vinh_officer).get(reverse("study_plans")).content.decode()
    assert reverse("study_plan", args=[plan_2020.pk]) in vinh
    assert reverse("study_plan", args=[plan_2025.pk]) not in vinh
    office = client_for(personas.province_office).get(reverse("study_plans")).content.decode()
    assert reverse("study_plan", args=[plan_2020.pk]) in office
    assert reverse("study_plan", args=[plan_2025.pk]) in office


def test_plan_list_shows_state_number_date_and_sample_badge(
    client_for, personas, plan_2020
) -> None:
    body = client_for(personas.board_member).get(reverse("study_plans")).content.decode()
    assert "01-KH/TU" in body
    assert "03/11/2020" in body
    assert "Đã ban hành" in body
    assert "Dự thảo" in body  # the 2025 plan
    assert "dữ liệu minh họa" in body


@pytest.mark.parametrize("persona", ["province_office", "board_member", "vinh_officer",
                                     "nghiloc_officer"])  # fmt: skip
def test_who_sees_the_2020_structure_sees_the_2020_plan(
    client_for, personas, plan_urls, persona: str
) -> None:
    client = client_for(getattr(personas, persona))
    assert client.get(plan_urls["detail_2020"]).status_code == 200
    assert client.get(plan_urls["docx_2020"]).status_code == 200


@pytest.mark.parametrize("persona", ["vinh_officer", "nghiloc_officer"])
def test_district_officers_get_404_for_the_2025_plan(
    client_for, personas, plan_urls, persona: str
) -> None:
    """The 2025 plan runs on today's structure, where the district officers see nothing."""
    client = client_for(getattr(personas, persona))
    assert client.get(plan_urls["detail_2025"]).status_code == 404
    assert client.get(plan_urls["docx_2025"]).status_code == 404


def test_the_editor_sees_neither_the_2020_plan_nor_the_2025_draft(
    client_for, personas, plan_urls
) -> None:
    """His units are in today's structure only, and the 2025 plan is still a draft, which only
    the province office and the Standing Board see."""
    client = client_for(personas.editor)
    assert client.get(plan_urls["detail_2025"]).status_code == 404
    assert client.get(plan_urls["detail_2020"]).status_code == 404
    assert client.get(plan_urls["docx_2020"]).status_code == 404


def test_an_unknown_plan_is_404(client_for, personas) -> None:
    client = client_for(personas.province_office)
    assert client.get(reverse("study_plan", args=[999_999])).status_code == 404
    assert client.get(reverse("study_plan_docx", args=[999_999])).status_code == 404


def test_length_reads_as_the_plan_writes_it() -> None:
    """Two half-day sessions are one day."""
    assert length_label(2) == "1 ngày"
    assert length_label(1) == "1 buổi"
    assert length_label(4) == "2 ngày"
    assert length_label(3) == "3 buổi"


def test_plan_detail_shows_source_topics_and_the_article_level_rules(
    client_for, personas, plan_urls, plan_2020
) -> None:
    """The article's table: 1 ngày / 1 ngày / 1 buổi, deadlines 30/11, 30/12/2020, 30/01/2021."""
    response = client_for(personas.vinh_officer).get(plan_urls["detail_2020"])
    body = response.content.decode()
    assert plan_2020.source_document in body
    assert "01-KH/TU" in body and "03/11/2020" in body
    assert body.count("<li>Chuyên đề") == 2
    rules = body[body.index('id="rules"') :]
    for text in (
        "Cấp tỉnh",
        "Cấp huyện và tương đương",
        "Cấp cơ sở",
        "30/11/2020",
        "30/12/2020",
        "30/01/2021",
        "01/11/2020",
        "Cán bộ chủ chốt cấp tỉnh và cấp huyện",
    ):
        assert text in rules, text  # fmt: skip
    assert rules.count("1 ngày") == 2
    assert rules.count("1 buổi") == 1
    assert rules.count("Được phép") == 1  # online only from province to district
    assert reverse("study_dashboard", args=[plan_2020.pk]) in body
    assert plan_urls["docx_2020"] in body


def test_plan_detail_marks_sample_data(client_for, personas, plan_urls) -> None:
    body = client_for(personas.board_member).get(plan_urls["detail_2020"]).content.decode()
    assert "dữ liệu minh họa" in body


def test_plan_list_query_count_is_bounded(
    client_for, personas, django_assert_max_num_queries
) -> None:
    client = client_for(personas.vinh_officer)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("study_plans")).status_code == 200


def test_plan_detail_query_count_is_bounded(
    client_for, personas, plan_urls, django_assert_max_num_queries
) -> None:
    client = client_for(personas.vinh_officer)
    with django_assert_max_num_queries(8):
        assert client.get(plan_urls["detail_2020"]).status_code == 200


def test_plan_docx_is_a_party_plan(client_for, personas, plan_urls, plan_2020) -> None:
    """Issued by the province committee, "KẾ HOẠCH", number 01-KH/TU, dated 03/11/2020, with
    the topics and the level rules table."""
    response = client_for(personas.province_office).get(plan_urls["docx_2020"])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    header = document.tables[0]
    assert header.rows[0].cells[0].text.split("\n") == ["ĐẢNG BỘ TỈNH NGHỆ AN", "TỈNH ỦY", "*"]
    assert header.rows[0].cells[1].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert header.rows[1].cells[0].text == "Số 01-KH/TU"
    assert header.rows[1].cells[1].text == "Nghệ An, ngày 03 tháng 11 năm 2020"
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "KẾ HOẠCH"
    assert texts[1].startswith("tổ chức học tập, quán triệt và triển khai thực hiện Nghị quyết")
    assert any(t.startswith("1. Chuyên đề phát triển kinh tế") for t in texts)
    assert any("minh họa" in t for t in texts)  # the sample note
    assert any("Báo cáo viên cấp trên chỉ trình bày" in t for t in texts)
    rules = document.tables[1]
    assert [row.cells[2].text for row in rules.rows[1:]] == ["1 ngày", "1 ngày", "1 buổi"]
    assert [row.cells[4].text for row in rules.rows[1:]] == ["Có", "Không", "Không"]
    assert rules.rows[3].cells[3].text == "01/11/2020 – 30/01/2021"
    closing = document.tables[-1].rows[0].cells
    assert closing[0].paragraphs[0].text == "Nơi nhận:"
    assert closing[0].paragraphs[-1].text == "- Lưu Văn phòng Tỉnh ủy."
    assert closing[1].paragraphs[0].text == "T/M BAN THƯỜNG VỤ"


def test_a_draft_plan_exports_with_blank_number_and_date(client_for, personas, plan_urls) -> None:
    response = client_for(personas.province_office).get(plan_urls["docx_2025"])
    document = Document(io.BytesIO(response.content))
    header = document.tables[0]
    assert header.rows[1].cells[0].text == "Số     -KH/TU"
    assert header.rows[1].cells[1].text.startswith("Nghệ An, ngày     tháng")
    assert "(Dự thảo)" in [p.text for p in document.paragraphs]
    # After the 2025 merger the central board carries its new name.
    recipients = [p.text for p in document.tables[-1].rows[0].cells[0].paragraphs]
    assert "- Ban Tuyên giáo và Dân vận Trung ương," in recipients
