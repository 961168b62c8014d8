"""The hand-over page: the province office picks a unit with successors, sees what would move
(a dry run that writes nothing), confirms, and the open work moves to the successor in one
audited action; past hand-overs are listed with what moved. Every other user gets a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhuy.audit.models import AuditEvent
from tinhuy.programs.models import HandOver, Node, Programme
from tinhuy.programs.queries import hand_over_preview

pytestmark = pytest.mark.django_db

URL = "/chuong-trinh/ban-giao/"


def test_the_page_is_the_province_offices_only(
    client_for: Any, personas: Any, plan: Any, agencies: Any
) -> None:
    for user in (
        personas.board_member,
        personas.vinh_officer,
        personas.nghiloc_officer,
        personas.editor,
    ):
        assert client_for(user).get(URL).status_code == 404
        assert client_for(user).get(URL, {"tu": agencies.planning.pk}).status_code == 404
        response = client_for(user).post(
            f"{URL}?tu={agencies.planning.pk}",
            {"to_unit": agencies.finance.pk, "effective_on": "01/03/2025", "reason": "x"},
        )
        assert response.status_code == 404
    assert client_for(personas.citizen).get(URL).status_code == 302
    assert not HandOver.objects.exists()


def test_the_preview_lists_what_would_move_and_writes_nothing(
    client_for: Any, personas: Any, plan: Any, agencies: Any
) -> None:
    office = client_for(personas.province_office)
    page = office.get(URL).content.decode()
    assert agencies.planning.name in page  # it has a successor and open work
    before = AuditEvent.objects.count()
    preview = office.get(URL, {"tu": agencies.planning.pk})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Lập quy hoạch mạng lưới giao thông" in html
    assert plan.programme.title in html  # focal agency of the programme
    assert agencies.finance.name in html  # the successor offered
    assert AuditEvent.objects.count() == before and not HandOver.objects.exists()
    moves = hand_over_preview(agencies.planning)
    assert [n.pk for n in moves.lead] == [plan.task.pk]
    assert [p.pk for p in moves.focal] == [plan.programme.pk]
    # A unit without successors is not offered, and asked for by id it is turned away.
    assert (
        "không có đơn vị kế thừa" in office.get(URL, {"tu": agencies.finance.pk}).content.decode()
    )


def test_confirming_moves_the_work_in_one_audited_action(
    client_for: Any, personas: Any, plan: Any, agencies: Any
) -> None:
    office = client_for(personas.province_office)
    before = AuditEvent.objects.filter(action="programme.hand_over").count()
    response = office.post(
        f"{URL}?tu={agencies.planning.pk}",
        {
            "to_unit": agencies.finance.pk,
            "effective_on": "01/03/2025",
            "reason": "Hợp nhất Sở Kế hoạch và Đầu tư vào Sở Tài chính",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="programme.hand_over").count() == before + 1
    assert Node.objects.get(pk=plan.task.pk).lead_unit == agencies.finance
    assert Programme.objects.get(pk=plan.programme.pk).focal_agency == agencies.finance
    page = office.get(URL).content.decode()
    assert "Đã bàn giao từ" in page
    assert "01/03/2025" in page and "Hợp nhất Sở Kế hoạch và Đầu tư vào Sở Tài chính" in page
    assert "Lập quy hoạch mạng lưới giao thông" in page  # what moved, under the past list
    # Nothing left: the unit is no longer offered.
    assert f'value="{agencies.planning.pk}"' not in page


def test_a_bad_confirmation_shows_the_reason_and_writes_nothing(
    client_for: Any, personas: Any, plan: Any, agencies: Any
) -> None:
    office = client_for(personas.province_office)
    url = f"{URL}?tu={agencies.planning.pk}"
    not_successor = office.post(
        url, {"to_unit": agencies.committee.pk, "effective_on": "01/03/2025", "reason": "x"}
    )
    assert "Hãy chọn một mục trong danh sách." in not_successor.content.decode()
    no_reason = office.post(url, {"to_unit": agencies.finance.pk, "effective_on": "32/13/2025"})
    html = no_reason.content.decode()
    assert "dd/mm/yyyy" in html and "Hãy điền mục này." in html
    assert not HandOver.objects.exists()
    assert Node.objects.get(pk=plan.task.pk).lead_unit == agencies.planning


def test_the_past_list_reads_a_fixed_number_of_queries(
    client_for: Any, personas: Any, plan: Any, agencies: Any
) -> None:
    from tinhuy.programs import actions

    office = client_for(personas.province_office)
    office.get(URL)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office.get(URL).status_code == 200
        return len(queries)

    actions.do_hand_over(
        agencies.planning,
        agencies.finance,
        effective_on=plan.task.start_on,
        reason="Lần 1",
        acting_user=personas.province_office,
    )
    before = count()
    # Give the planning department more work and hand it over again.
    for n in range(3):
        actions.do_update_node(
            plan.task,
            actions.NodeSpec(
                kind="task",
                title=f"Nhiệm vụ {n}",
                lead_unit=agencies.planning,
                responsible=agencies.planning_head,
                start_on=plan.task.start_on,
                due_on=plan.task.due_on,
            ),
            acting_user=personas.province_office,
        )
        actions.do_hand_over(
            agencies.planning,
            agencies.finance,
            effective_on=plan.task.start_on,
            reason=f"Lần {n + 2}",
            acting_user=personas.province_office,
        )
    assert HandOver.objects.count() == 4
    assert count() == before


def test_the_recorded_successor_and_the_day_after_the_unit_ceased_are_proposed(
    client_for: Any, personas: Any, plan: Any, agencies: Any
) -> None:
    import datetime

    from tinhuy.org.models import Unit

    Unit.objects.filter(pk=agencies.planning.pk).update(valid_to=datetime.date(2025, 2, 28))
    html = client_for(personas.province_office).get(URL, {"tu": agencies.planning.pk})
    page = html.content.decode()
    assert f'<option value="{agencies.finance.pk}" selected>' in page
    assert 'value="01/03/2025"' in page
