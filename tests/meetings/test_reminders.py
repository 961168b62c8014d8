"""Reminders of the work a Board conclusion assigns: due soon, overdue, to whom, once a day.

The meeting of 29/10/2020 concludes on the Ban Tuyên giáo draft with three follow-ups: TP Vinh
by 30/11/2020, Nghi Lộc by 20/11/2020 and TP Vinh again by 31/12/2020. As of 25/11/2020 with
7 days: Vinh's first is due (5 days left), Nghi Lộc's is overdue (5 days past), Vinh's second is
not yet anything. Each unit has an office officer with an address (Vinh also a head); the
province has an administrator (who follows overdue work up) and an office officer (who does
not receive follow-up reminders); a Vinh grassroots organisation's head never receives Vinh's.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from tinhuy.accounts.actions import do_create_user
from tinhuy.audit.models import AuditEvent
from tinhuy.meetings import actions
from tinhuy.meetings import reminders as r
from tinhuy.meetings.actions import FollowUpSpec, MemberSpec, do_send_follow_up_reminders
from tinhuy.meetings.models import Draft, FollowUp, FollowUpState, Outcome
from tinhuy.org.actions import do_add_person, do_grant_membership
from tinhuy.org.models import Role, Unit

from .conftest import Board

pytestmark = pytest.mark.django_db

D = datetime.date
AS_OF = D(2020, 11, 25)


def _page(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    return HttpResponse()


# A stand-in for the meetings pages, so the link in the texts is tested whatever the site's
# URLs are (used through ``override_settings(ROOT_URLCONF=__name__)``).
urlpatterns = [
    path(
        "hop-ban-thuong-vu/viec-duoc-giao/<int:follow_up_id>/",
        _page,
        name=r.FOLLOW_UP_URL_NAME,
    )
]


@dataclass
class Work:
    vinh_soon: FollowUp  # due 30/11/2020
    nghiloc_late: FollowUp  # due 20/11/2020
    vinh_later: FollowUp  # due 31/12/2020
    addresses: dict[str, set[str]]


def account(username: str, unit: Unit, role: str) -> str:
    """A new account with an address and a membership; returns the address."""
    user = do_create_user(username, password="mat-khau-1", acting_user=None)
    user.email = f"{username}@nghean.dcs.vn"
    user.save(update_fields=["email"])
    do_grant_membership(user, unit, role, acting_user=None)
    return user.email


@pytest.fixture
def work(draft: Draft, board: Board, personas: Any, units: Any) -> Work:
    # The demo's own follow-ups (one overdue at TP Vinh) are closed here: these tests count
    # the reminders of the work below.
    FollowUp.objects.update(state=FollowUpState.DONE)
    actions.do_submit_version(draft, acting_user=board.officer)
    meeting = actions.do_create_meeting(
        body=units.province_2020,
        date=D(2020, 10, 29),
        presiding=board.members[0],
        members=[MemberSpec(m) for m in board.members],
        acting_user=personas.province_office,
    )
    item = actions.do_add_item(meeting, draft, acting_user=personas.province_office)
    vinh_person = do_add_person(
        units.vinh, full_name="Hoàng Văn Dũng", position="Phó Bí thư Thành ủy", acting_user=None
    )
    nghiloc_person = do_add_person(units.nghiloc, full_name="Võ Thị Hạnh", acting_user=None)
    actions.do_conclude(
        item,
        conclusion="Thống nhất chủ trương; giao các đơn vị rà soát số liệu.",
        outcome=Outcome.APPROVED_AFTER_REVISION,
        follow_ups=[
            FollowUpSpec("Rà soát số liệu TP Vinh.", units.vinh, vinh_person, D(2020, 11, 30)),
            FollowUpSpec(
                "Rà soát số liệu huyện Nghi Lộc", units.nghiloc, nghiloc_person, D(2020, 11, 20)
            ),
            FollowUpSpec("Báo cáo kết quả số hóa", units.vinh, vinh_person, D(2020, 12, 31)),
        ],
        acting_user=personas.province_office,
    )
    soon, late, later = FollowUp.objects.filter(item=item).order_by("id")
    # A Board member at Vinh gets no reminders either: not a role that acts on them.
    account("btv-vinh", units.vinh, Role.BOARD_MEMBER)
    return Work(
        soon,
        late,
        later,
        {
            "vinh": {
                account("vinh-vp", units.vinh, Role.OFFICE_OFFICER),
                account("vinh-bt", units.vinh, Role.UNIT_HEAD),
            },
            "nghiloc": {account("nl-vp", units.nghiloc, Role.OFFICE_OFFICER)},
            "province_admin": {account("tu-qt", units.province_2020, Role.PROVINCE_ADMIN)},
            "province_office": {account("tu-vp", units.province_2020, Role.OFFICE_OFFICER)},
            "vinh_grassroots": {account("cs01-bt", units.vinh_grassroots, Role.UNIT_HEAD)},
        },
    )


def send(day: D = AS_OF, user: Any = None, within: int = 7) -> r.Outcome:
    return do_send_follow_up_reminders(as_of=day, within_days=within, acting_user=user)


# --- Selection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "due_on", "kind"),
    [
        (FollowUpState.OPEN, D(2020, 12, 2), "due"),  # 7 days left
        (FollowUpState.OPEN, D(2020, 12, 3), None),  # 8 days left: not yet
        (FollowUpState.OPEN, AS_OF, "due"),  # the due day itself
        (FollowUpState.OPEN, D(2020, 11, 24), "overdue"),  # the day after
        (FollowUpState.DONE, D(2020, 11, 24), None),  # closed: never
        (FollowUpState.DONE, D(2020, 11, 30), None),
    ],
)
def test_an_open_follow_up_is_due_within_n_days_and_overdue_after_its_date(
    state: str, due_on: D, kind: str | None
) -> None:
    follow_up = FollowUp(state=state, due_on=due_on)
    assert r.kind_of(follow_up, AS_OF, 7) == kind


def test_it_finds_the_follow_ups_due_soon_and_those_overdue(work: Work) -> None:
    found = r.reminders_for(AS_OF, 7)
    assert [(x.follow_up, x.days) for x in found.due] == [(work.vinh_soon, 5)]
    assert [(x.follow_up, x.days) for x in found.overdue] == [(work.nghiloc_late, 5)]
    later = r.reminders_for(D(2020, 12, 28), 7)
    assert [x.follow_up for x in later.due] == [work.vinh_later]
    assert {x.follow_up for x in later.overdue} == {work.vinh_soon, work.nghiloc_late}


def test_a_closed_follow_up_is_not_reminded(work: Work, personas: Any) -> None:
    actions.do_close_follow_up(
        work.nghiloc_late, note="Đã rà soát xong.", acting_user=personas.nghiloc_officer
    )
    found = r.reminders_for(AS_OF, 7)
    assert found.overdue == []
    assert [x.follow_up for x in found.all] == [work.vinh_soon]


def test_due_work_goes_to_the_lead_units_officers_and_heads_only(work: Work) -> None:
    """Not to another unit, a unit below it, a Board member there, nor the province."""
    (due,) = r.reminders_for(AS_OF, 7).due
    assert set(due.recipients) == work.addresses["vinh"]


def test_overdue_work_goes_to_the_lead_unit_and_the_province_administrator(work: Work) -> None:
    """The administrators of the committee that met follow overdue work up; its office officers
    do not receive follow-up reminders, nor does anybody at Vinh."""
    (overdue,) = r.reminders_for(AS_OF, 7).overdue
    assert set(overdue.recipients) == work.addresses["nghiloc"] | work.addresses["province_admin"]


def test_the_texts_name_the_conclusion_the_work_the_person_and_the_due_date(work: Work) -> None:
    found = r.reminders_for(AS_OF, 7)
    (due,), (overdue,) = found.due, found.overdue
    assert due.subject == (
        "Nhắc việc: việc Ban Thường vụ giao, hạn 30/11/2020 (còn 5 ngày) — Đảng bộ thành phố Vinh"
    )
    assert due.text.startswith("Kính gửi: Đảng bộ thành phố Vinh\n\n")
    for part in (
        "Kết luận của Ban Thường vụ tại phiên họp ngày 29/10/2020",
        "“Kế hoạch triển khai Đề án Địa chí Nghệ An”",
        "- Nội dung: Rà soát số liệu TP Vinh.\n",  # one full stop, not two
        "- Người phụ trách: đồng chí Hoàng Văn Dũng, Phó Bí thư Thành ủy.",
        "- Hạn hoàn thành: 30/11/2020 (còn 5 ngày, tính đến ngày 25/11/2020).",
        "hoàn thành đúng hạn",
    ):
        assert part in due.text, part
    assert "\n\n\n" not in due.text
    assert overdue.subject == (
        "Quá hạn 5 ngày việc Ban Thường vụ giao (hạn 20/11/2020) — Đảng bộ huyện Nghi Lộc"
    )
    assert "- Người phụ trách: đồng chí Võ Thị Hạnh.\n" in overdue.text
    assert "(đã quá hạn 5 ngày, tính đến ngày 25/11/2020)" in overdue.text
    assert "nêu rõ lý do chậm trễ" in overdue.text
    (today,) = r.reminders_for(D(2020, 11, 30), 0).due
    assert "đến hạn hôm nay" in today.subject and "(đến hạn hôm nay," in today.text


@override_settings(ROOT_URLCONF=__name__)
def test_the_text_links_to_the_follow_ups_page(work: Work) -> None:
    (due,) = r.reminders_for(AS_OF, 7).due
    link = f"/hop-ban-thuong-vu/viec-duoc-giao/{work.vinh_soon.pk}/"
    assert due.link == link
    assert due.text.rstrip().endswith(f"Xem và cập nhật kết quả thực hiện: {link}")


def test_without_the_page_the_text_has_no_link(work: Work, monkeypatch: Any) -> None:
    monkeypatch.setattr(r, "FOLLOW_UP_URL_NAME", "no_such_page")
    (due,) = r.reminders_for(AS_OF, 7).due
    assert due.link == "" and "Xem và cập nhật" not in due.text


def test_reading_the_reminders_takes_the_same_queries_however_many_there_are(
    work: Work, personas: Any, units: Any
) -> None:
    """One query for the follow-ups with what the texts name, one for the lead units'
    officers, one for the province office (when something is overdue)."""
    with CaptureQueriesContext(connection) as few:
        r.reminders_for(AS_OF, 7)
    person = work.vinh_soon.person
    for n in range(5):
        actions.do_add_follow_up(
            work.vinh_soon.item,
            FollowUpSpec(f"Việc thêm {n}", units.vinh, person, D(2020, 11, 20 + n)),
            acting_user=personas.province_office,
        )
    with CaptureQueriesContext(connection) as many:
        found = r.reminders_for(AS_OF, 7)
    assert len(found.all) == 7
    assert len(few) == len(many) == 3


# --- Sending -----------------------------------------------------------------------------------


def test_it_emails_each_reminder_through_the_locmem_backend(
    work: Work,
    personas: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = send(user=personas.province_office)
    assert outcome.emails == 2
    by_subject = {m.subject: set(m.to) for m in mailoutbox}
    assert by_subject == {
        r.subject_for(outcome.to_send[0]): work.addresses["vinh"],
        r.subject_for(outcome.to_send[1]): work.addresses["nghiloc"]
        | work.addresses["province_admin"],
    }
    never = work.addresses["province_office"] | work.addresses["vinh_grassroots"]
    assert not never & {to for m in mailoutbox for to in m.to}
    assert "Rà soát số liệu TP Vinh" in mailoutbox[0].body


def test_one_audit_event_per_run_lists_what_was_sent(
    work: Work, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send(user=personas.province_office)
    (event,) = AuditEvent.objects.filter(action=r.AUDIT_ACTION)
    assert event.actor == personas.province_office
    assert event.after == {
        "as_of": "2020-11-25",
        "within_days": 7,
        "counts": {"due": 1, "overdue": 1, "emails": 2, "already_sent": 0, "no_recipients": 0},
        "sent": {"due": [work.vinh_soon.pk], "overdue": [work.nghiloc_late.pk]},
    }


def test_a_second_run_the_same_day_sends_nothing_twice(
    work: Work, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send()
    assert len(mailoutbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        second = send()
    assert len(mailoutbox) == 2
    assert second.emails == 0 and len(second.already_sent) == 2
    latest = AuditEvent.objects.filter(action=r.AUDIT_ACTION).first()
    assert latest is not None
    assert latest.after["sent"] == {"due": [], "overdue": []}
    # The next day is a new reminder (4 days left, 6 days late).
    with django_capture_on_commit_callbacks(execute=True):
        send(D(2020, 11, 26))
    assert len(mailoutbox) == 4
    assert "còn 4 ngày" in mailoutbox[2].subject


def test_work_whose_unit_has_no_address_is_sent_once_it_has_one(
    work: Work, units: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A reminder nobody could receive is not recorded as sent."""
    nghiloc_cell_work = actions.do_add_follow_up(
        work.vinh_soon.item,
        FollowUpSpec(
            "Báo cáo chi bộ",
            units.nghiloc_cell,
            do_add_person(units.nghiloc_cell, full_name="Đặng Văn Tâm", acting_user=None),
            D(2020, 11, 28),
        ),
        acting_user=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = send()
    assert [x.follow_up for x in first.no_recipients] == [nghiloc_cell_work]
    account("cb03-vp", units.nghiloc_cell, Role.OFFICE_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        second = send()
    assert [x.follow_up for x in second.to_send] == [nghiloc_cell_work]
    assert mailoutbox[-1].to == ["cb03-vp@nghean.dcs.vn"]


def test_mail_leaves_only_after_the_commit(
    work: Work, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send()
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_a_unit_officer_reminds_only_the_work_of_units_they_see(
    work: Work, personas: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Run as the Vinh officer: Nghi Lộc's overdue work is neither sent nor named."""
    with django_capture_on_commit_callbacks(execute=True):
        outcome = send(user=personas.vinh_officer)
    assert [x.follow_up for x in outcome.reminders.all] == [work.vinh_soon]
    assert [set(m.to) for m in mailoutbox] == [work.addresses["vinh"]]
    assert "Nghi Lộc" not in " ".join(m.subject + m.body for m in mailoutbox)


# --- The command -------------------------------------------------------------------------------


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("meetings_remind", *args, stdout=out)
    return out.getvalue()


def test_the_command_explains_itself_with_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        call_command("meetings_remind", "--help")
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for option in ("--as-of", "--ngay", "--within", "--trong", "--dry-run"):
        assert option in text, option
    assert "quá hạn" in text.split("\n\n")[1]


def test_the_tinhuy_command_line_lists_it(capsys: pytest.CaptureFixture[str]) -> None:
    from tinhuy.cli import ALIASES, main

    assert ALIASES["meetings-remind"] == "meetings_remind"
    main(["--help"])
    assert "  meetings-remind " in capsys.readouterr().out


def test_the_command_dry_run_prints_what_it_would_send_and_writes_nothing(
    work: Work, mailoutbox: Any
) -> None:
    out = command("--ngay", "25/11/2020", "--trong", "7", "--dry-run")
    assert (
        f"Sắp đến hạn — việc số {work.vinh_soon.pk}, Đảng bộ thành phố Vinh, hạn 30/11/2020 → "
        in out
    )
    assert f"Quá hạn — việc số {work.nghiloc_late.pk}, Đảng bộ huyện Nghi Lộc" in out
    assert out.rstrip().endswith("Sẽ gửi 2 thư nhắc (chạy thử, chưa gửi gì).")
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(action=r.AUDIT_ACTION).exists()


def test_the_command_sends_prints_and_then_skips_what_it_sent(
    work: Work, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        out = command("--as-of", "25/11/2020", "--within", "7", "-v", "2")
    assert "Đã gửi 2 thư nhắc." in out
    assert "  Kính gửi: Đảng bộ huyện Nghi Lộc" in out  # -v 2 prints the texts
    assert len(mailoutbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        again = command("--as-of", "25/11/2020")
    assert "Bỏ qua 2 lời nhắc đã gửi cho ngày 25/11/2020." in again
    assert "Đã gửi 0 thư nhắc." in again
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--ngay", "31/02/2021"), "không hợp lệ"),
        (("--as-of", "2020-11-25"), "không hợp lệ"),
        (("--trong", "-1"), "--within"),
        (("--within", "400"), "--within"),
    ],
)
def test_the_command_rejects_bad_options(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        command(*args, "--dry-run")
    assert not AuditEvent.objects.filter(action=r.AUDIT_ACTION).exists()
