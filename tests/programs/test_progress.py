"""The progress pages: a programme's cycles (open, lock), a cycle's table, a task's report with
its documents, and the overdue and due-soon lists — scoped (Nghi Lộc sees none of a Vinh-led
task; Vinh sees its own task only), refusing bad input in Vietnamese, writing nothing then."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.programs.running import Running, running_fixture  # noqa: F401 - the fixture
from tinhuy.programs import actions, cycles
from tinhuy.programs.models import (
    NodeStatus,
    ProgressReport,
    ReportAttachment,
    ReportingCycle,
)
from tinhuy.programs.queries import tree

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _report_url(r: Running, node: Any = None) -> str:
    return reverse("programs_report", args=[r.cycle.pk, (node or r.vinh_task).pk])


# --- Scope ----------------------------------------------------------------------------------


def test_nghiloc_gets_404_on_every_page_of_a_programme_it_does_not_see(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.nghiloc_officer)
    for url in (
        reverse("programs_cycles", args=[running.programme.pk]),
        reverse("programs_cycle", args=[running.cycle.pk]),
        reverse("programs_cycle_close", args=[running.cycle.pk]),
        _report_url(running),
        reverse("programs_gantt", args=[running.programme.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(_report_url(running), {"status": "on_track", "progress": "10"})
    assert response.status_code == 404
    assert not ProgressReport.objects.filter(cycle=running.cycle).exists()


def test_a_report_page_of_a_task_of_another_programme_is_404(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    assert (
        client.get(reverse("programs_report", args=[running.cycle.pk, 999_999])).status_code == 404
    )
    # The field is not a task: nothing to report on.
    field = running.task.parent.parent
    assert client.get(_report_url(running, field)).status_code == 404


def test_vinh_sees_and_reports_its_own_task_only(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.vinh_officer)
    page = client.get(reverse("programs_cycle", args=[running.cycle.pk])).content.decode()
    assert "Chỉnh trang đô thị &lt;Vinh&gt; &amp; ven sông" in page
    assert "Lập quy hoạch mạng lưới giao thông" not in page
    # The department's task is not in Vinh's sight at all.
    assert client.get(_report_url(running, running.task)).status_code == 404
    assert client.get(_report_url(running)).status_code == 200
    # Seen, not his to lock: 403.
    assert client.get(reverse("programs_cycle_close", args=[running.cycle.pk])).status_code == 403
    assert (
        client.post(reverse("programs_cycle_open", args=[running.programme.pk]), {}).status_code
        == 403
    )


def test_the_board_member_sees_a_report_but_may_not_send_it(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.board_member)
    assert client.get(reverse("programs_cycle", args=[running.cycle.pk])).status_code == 200
    assert client.get(_report_url(running)).status_code == 403


def test_anonymous_is_sent_to_log_in(running: Running, client_for: Any, personas: Any) -> None:
    response = client_for(personas.citizen).get(reverse("programs_due"))
    assert response.status_code == 302


# --- Cycles ---------------------------------------------------------------------------------


def test_the_cycles_page_counts_reports_and_lets_the_office_open_the_next_cycle(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    url = reverse("programs_cycles", args=[running.programme.pk])
    page = client.get(url).content.decode()
    assert "0/2" in page
    assert 'value="01/04/2021"' in page  # the next quarter proposed
    assert 'value="30/06/2021"' in page
    response = client.post(
        reverse("programs_cycle_open", args=[running.programme.pk]),
        {
            "frequency": "quarterly",
            "period_start": "01/04/2021",
            "period_end": "30/06/2021",
            "due_on": "10/07/2021",
        },
    )
    assert response.status_code == 302
    assert ReportingCycle.objects.filter(programme=running.programme).count() == 2


def test_an_overlapping_cycle_is_refused_in_vietnamese(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    response = client.post(
        reverse("programs_cycle_open", args=[running.programme.pk]),
        {
            "frequency": "monthly",
            "period_start": "01/03/2021",
            "period_end": "31/03/2021",
            "due_on": "05/04/2021",
        },
    )
    assert response.status_code == 400
    assert "trùng với kỳ" in response.content.decode()
    assert ReportingCycle.objects.filter(programme=running.programme).count() == 1


def test_a_bad_date_is_refused(running: Running, personas: Any, client_for: Any) -> None:
    client = client_for(personas.province_office)
    response = client.post(
        reverse("programs_cycle_open", args=[running.programme.pk]),
        {
            "frequency": "monthly",
            "period_start": "31/02/2021",
            "period_end": "31/03/2021",
            "due_on": "05/04/2021",
        },
    )
    assert response.status_code == 400
    assert "dd/mm/yyyy" in response.content.decode()


def test_the_next_period_follows_the_frequency(running: Running) -> None:
    today = datetime.date(2021, 5, 17)
    assert cycles.propose_next(running.programme, "monthly", today, None) == (
        datetime.date(2021, 5, 1),
        datetime.date(2021, 5, 31),
        datetime.date(2021, 6, 10),
    )
    assert cycles.propose_next(running.programme, "yearly", today, None)[:2] == (
        datetime.date(2021, 1, 1),
        datetime.date(2021, 12, 31),
    )
    assert cycles.propose_next(running.programme, "quarterly", today, running.cycle)[:2] == (
        datetime.date(2021, 4, 1),
        datetime.date(2021, 6, 30),
    )


def test_locking_a_cycle_asks_first_then_refuses_reports(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    close = reverse("programs_cycle_close", args=[running.cycle.pk])
    assert "Còn 2 nhiệm vụ chưa báo cáo" in client.get(close).content.decode()
    assert client.post(close).status_code == 302
    running.cycle.refresh_from_db()
    assert running.cycle.is_closed
    page = client.get(_report_url(running))
    assert page.status_code == 200
    assert "chỉ để xem" in page.content.decode()
    assert 'name="status"' not in page.content.decode()
    response = client.post(_report_url(running), {"status": "on_track", "progress": "30"})
    assert response.status_code == 400
    assert "đã khóa sổ" in response.content.decode()
    assert not ProgressReport.objects.filter(cycle=running.cycle).exists()


# --- Reports --------------------------------------------------------------------------------


def test_vinh_reports_and_the_roll_up_follows(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.vinh_officer)
    indicator = running.vinh_task.indicators.get()
    response = client.post(
        _report_url(running),
        {
            "status": "on_track",
            "progress": "60",
            "narrative": "Đã chỉnh trang 3 tuyến phố.",
            "spent": "1.500.000.000",
            f"value_{indicator.pk}": "3",
        },
    )
    assert response.status_code == 302, response.content.decode()
    report = ProgressReport.objects.get(node=running.vinh_task)
    assert (report.progress, report.spent) == (60, Decimal(1_500_000_000))
    assert report.values.get().value == Decimal(3)
    page = client.get(_report_url(running)).content.decode()
    assert "1.500.000.000 đồng" in page
    # (1·0 + 1·60) / 2 = 30 for the item; the programme's only field follows.
    assert tree(running.programme).progress == Decimal("30.0")
    office = client_for(personas.province_office)
    table = office.get(reverse("programs_cycle", args=[running.cycle.pk])).content.decode()
    assert "Đã báo cáo 1/2 nhiệm vụ" in table


def test_progress_defaults_from_the_status(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.vinh_officer)
    response = client.post(_report_url(running), {"status": "done", "progress": ""})
    assert response.status_code == 302
    assert ProgressReport.objects.get(cycle=running.cycle).progress == 100


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "on_track", "progress": "150"}, "từ 0 đến 100%"),
        ({"status": "done", "progress": "60"}, "tiến độ là 100%"),
        ({"status": "on_track", "progress": ""}, "Hãy nhập tiến độ"),
        ({"status": "on_track", "progress": "10", "spent": "-5"}, "không được âm"),
        ({"status": "on_track", "progress": "10", "spent": "1000,5"}, "phần lẻ"),
        ({"status": "on_track", "progress": "10", "spent": "nhiều"}, "không phải là số tiền"),
        ({"status": "paused", "progress": "10"}, "Hãy chọn một mục"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_written(
    running: Running, personas: Any, client_for: Any, data: dict[str, str], message: str
) -> None:
    client = client_for(personas.vinh_officer)
    response = client.post(_report_url(running), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressReport.objects.filter(cycle=running.cycle).exists()
    running.vinh_task.refresh_from_db()
    assert running.vinh_task.progress == 0


def test_a_late_report_and_a_missing_one_are_flagged(running: Running, personas: Any) -> None:
    actions.do_report(
        running.vinh_task,
        running.cycle,
        actions.ReportSpec(NodeStatus.ON_TRACK, 20),
        at=datetime.datetime(2021, 4, 15, 9, 0, tzinfo=datetime.UTC),
        acting_user=personas.vinh_officer,
    )
    tasks = cycles.leaf_tasks([running.programme.pk])
    (summary,) = cycles.summarise(
        [running.cycle],
        tasks,
        cycles.reports_of([running.cycle]),
        datetime.date(2021, 4, 20),
        with_rows=True,
    )
    late = {row.task.id: row.late for row in summary.rows}
    assert late == {running.task.pk: True, running.vinh_task.pk: True}
    assert (summary.expected, summary.reported, summary.late, summary.missing_late) == (2, 1, 2, 1)
    (before_due,) = cycles.summarise(
        [running.cycle], tasks, cycles.reports_of([running.cycle]), datetime.date(2021, 4, 1)
    )
    assert before_due.missing_late == 0


def test_attachments_are_checked_kept_and_served_only_to_who_sees_the_task(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.vinh_officer)
    attach = reverse("programs_report_attach", args=[running.cycle.pk, running.vinh_task.pk])
    # No report yet: nothing to attach to.
    client.post(attach, {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert not ReportAttachment.objects.exists()
    client.post(_report_url(running), {"status": "on_track", "progress": "10"})
    bad = client.post(attach, {"file": SimpleUploadedFile("a.pdf", b"MZ not a pdf")})
    assert bad.status_code == 400
    assert "không phải tệp .pdf" in bad.content.decode()
    good = client.post(attach, {"file": SimpleUploadedFile("Báo cáo quý I.pdf", PDF)})
    assert good.status_code == 302
    attachment = ReportAttachment.objects.get()
    url = reverse("programs_report_attachment", args=[attachment.pk])
    assert url in client.get(_report_url(running)).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert client_for(personas.nghiloc_officer).get(url).status_code == 404
    missing = reverse("programs_report_attachment", args=[attachment.pk + 1000])
    assert client.get(missing).status_code == 404


# --- Overdue and due soon -------------------------------------------------------------------


@pytest.fixture
def alone(running: Running) -> Running:
    """Only the running programme runs: the demo's programmes (whose dates are real ones, due
    soon or not depending on the day the tests run) are set aside."""
    from tinhuy.programs.models import Programme

    Programme.objects.exclude(pk=running.programme.pk).update(state="completed")
    return running


def test_the_due_list_shows_overdue_tasks_and_milestones_and_filters(
    running: Running, personas: Any, client_for: Any, units: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas.province_office)
    url = reverse("programs_due")
    page = client.get(url).content.decode()
    # Today is long after 2022: every task and milestone is overdue.
    assert "Lập quy hoạch mạng lưới giao thông" in page
    assert "Chỉnh trang đô thị &lt;Vinh&gt; &amp; ven sông" in page
    assert "Khởi công" not in page  # the milestones have a tab of their own
    marks = client.get(url, {"xem": "moc"}).content.decode()
    assert "Khởi công" in marks and "Trình phê duyệt" in marks
    assert "Lập quy hoạch mạng lưới giao thông" in marks  # the milestone's task
    vinh_marks = client.get(url, {"xem": "moc", "don-vi": units.vinh.pk}).content.decode()
    assert "Khởi công" in vinh_marks and "Trình phê duyệt" not in vinh_marks
    filtered = client.get(url, {"don-vi": units.vinh.pk}).content.decode()
    assert "Lập quy hoạch mạng lưới giao thông" not in filtered
    assert "Chỉnh trang đô thị" in filtered
    person = running.task.responsible
    by_person = client.get(url, {"nguoi": person.pk}).content.decode()
    assert "Chỉnh trang đô thị" not in by_person.split('id="qua-han"')[1]
    with django_assert_max_num_queries(14):
        client.get(url)


def test_the_due_list_is_scoped(
    running: Running, personas: Any, client_for: Any, units: Any, agencies: Any
) -> None:
    url = reverse("programs_due")
    vinh = client_for(personas.vinh_officer)
    page = vinh.get(url).content.decode()
    assert "Chỉnh trang đô thị" in page
    assert "Lập quy hoạch mạng lưới giao thông" not in page
    # A unit or a person outside what Vinh sees reads as one that does not exist.
    assert vinh.get(url, {"don-vi": units.nghiloc.pk}).status_code == 404
    assert vinh.get(url, {"don-vi": agencies.planning.pk}).status_code == 404
    assert vinh.get(url, {"nguoi": agencies.planning_head.pk}).status_code == 404
    assert vinh.get(url, {"don-vi": "abc"}).status_code == 404
    nghiloc = client_for(personas.nghiloc_officer).get(url).content.decode()
    assert "Chỉnh trang đô thị" not in nghiloc


def test_the_due_list_takes_the_same_queries_for_two_rows_or_one(
    alone: Running, personas: Any, client_for: Any
) -> None:
    """The province office sees two overdue tasks, Vinh one: the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for persona in (personas.province_office, personas.vinh_officer):
        client = client_for(persona)
        client.get(reverse("programs_due"))  # the session and the scope, read once
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("programs_due"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_each_due_list_pages_on_its_own_and_counts_every_row(
    alone: Running, personas: Any, client_for: Any, monkeypatch: Any
) -> None:
    """One row a page: the overdue list's second page shows the second task (soonest due
    first); the count says two on either page; the page links keep the other parameters."""
    from tinhuy.programs.views import progress

    monkeypatch.setattr(progress, "DUE_PAGE_SIZE", 1)
    client = client_for(personas.province_office)
    url = reverse("programs_due")

    def overdue(page: str) -> str:
        return page.split('id="qua-han"')[1].split("</section>")[0]

    first = client.get(url).content.decode()
    assert "Chỉnh trang đô thị" in overdue(first)  # due 31/12/2021
    assert "Lập quy hoạch mạng lưới giao thông" not in overdue(first)  # due 31/12/2022
    assert "Trang 1/2" in overdue(first) and "trang-qua-han=2" in overdue(first)
    second = client.get(url, {"trang-qua-han": 2, "nguoi": ""}).content.decode()
    assert "Lập quy hoạch mạng lưới giao thông" in overdue(second)
    assert "Chỉnh trang đô thị" not in overdue(second)
    assert "trang-qua-han=1" in overdue(second) and "nguoi=" in overdue(second)
    counts = second.split('id="due-counts"')[1].split("</ul>")[0]
    assert ">2</span>" in counts  # every overdue task, whatever the page
    # A page past the end shows the last one; a bad number the first.
    assert "Lập quy hoạch" in overdue(client.get(url, {"trang-qua-han": 9}).content.decode())
    assert "Chỉnh trang" in overdue(client.get(url, {"trang-qua-han": "x"}).content.decode())
    marks = client.get(url, {"xem": "moc", "trang-moc-qua-han": 2}).content.decode()
    assert "Trình phê duyệt" in marks and "Khởi công" not in marks  # 30/06/2022 after 01/06/2021


def test_the_due_list_reads_a_fixed_number_of_queries_on_either_tab_and_any_page(
    alone: Running, personas: Any, client_for: Any, monkeypatch: Any
) -> None:
    """The counts, the filters' choices and a page of each list with rows: no query per row,
    none for a list with nothing in it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tinhuy.programs.views import progress

    client = client_for(personas.province_office)
    url = reverse("programs_due")
    client.get(url)

    def count(**params: Any) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        return len(queries)

    tasks, marks = count(), count(xem="moc")
    monkeypatch.setattr(progress, "DUE_PAGE_SIZE", 1)
    assert count(**{"trang-qua-han": 2}) == tasks
    assert count(xem="moc", **{"trang-moc-qua-han": 2}) == marks
    # Session, user, scope; units and people offered; the counts; the overdue list's page (the
    # due-soon list is empty: nothing is read for it).
    assert tasks == marks == 7
