"""Numbers in a register: the next one proposed, gaps and manual numbers with a reason, never a
number twice (cancelled ones included), a new series per period and per type, and the Party
and state ways of writing them (``PARTY-DOCUMENTS.md``)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.register.conftest import issue
from tinhuy.audit.models import AuditEvent
from tinhuy.register.actions import (
    NumberTaken,
    do_cancel_entry,
    do_close_period,
    do_create_issuing_body,
    do_open_period,
)
from tinhuy.register.models import EntryState, RegisterEntry, format_symbol, number_line
from tinhuy.register.queries import next_number

D = datetime.date


def test_the_demo_plan_holds_the_first_kh_number_of_the_2020_term(tu) -> None:
    entry = RegisterEntry.objects.get(body=tu, period__label="Nhiệm kỳ 2020–2025", doc_type="KH")
    assert entry.symbol == "01-KH/TU"
    assert entry.number_line == "Số 01-KH/TU"
    assert entry.target.number == "01-KH/TU"


def test_next_number_is_the_largest_plus_one(tu) -> None:
    assert next_number(tu, "KH", D(2020, 11, 10)) == 2
    assert next_number(tu, "TB", D(2020, 11, 10)) == 1


def test_a_second_document_gets_the_next_number(tu) -> None:
    first = issue(tu)
    second = issue(tu, summary="Kế hoạch thứ hai")
    assert (first.symbol, second.symbol) == ("02-KH/TU", "03-KH/TU")
    assert next_number(tu, "KH", D(2021, 1, 1)) == 4


def test_a_number_already_in_the_register_is_refused_naming_its_holder(tu) -> None:
    with pytest.raises(NumberTaken) as caught:
        issue(tu, number=1, reason="Ghi tay")
    assert caught.value.messages == [
        "Số 01-KH/TU đã cấp ngày 03/11/2020 cho “Kế hoạch tổ chức học tập, quán triệt và triển "
        "khai thực hiện Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XIX, nhiệm kỳ "
        "2020–2025”."
    ]
    assert RegisterEntry.objects.filter(body=tu, doc_type="KH").count() == 1


def test_a_gap_or_a_manual_number_needs_a_reason(tu) -> None:
    with pytest.raises(ValidationError) as caught:
        issue(tu, number=15)
    assert "Số 15-KH/TU không phải số kế tiếp (số kế tiếp là 02-KH/TU)" in caught.value.messages[0]
    assert "lý do" in caught.value.messages[0]
    entry = issue(tu, number=15, reason="Số đã giữ cho kế hoạch của Ban Tuyên giáo")
    assert entry.symbol == "15-KH/TU"
    assert entry.reason == "Số đã giữ cho kế hoạch của Ban Tuyên giáo"
    # The series goes on after the largest number; the skipped numbers stay free, by reason.
    assert issue(tu).symbol == "16-KH/TU"
    assert issue(tu, number=2, reason="Bổ sung số bỏ trống").symbol == "02-KH/TU"


def test_a_cancelled_number_stays_and_is_never_given_again(tu, personas) -> None:
    entry = issue(tu)
    cancelled = do_cancel_entry(
        entry, reason="Văn bản không ban hành", acting_user=personas.province_office
    )
    assert (
        cancelled.state == EntryState.CANCELLED
        and cancelled.cancel_reason == "Văn bản không ban hành"
    )
    assert RegisterEntry.objects.filter(pk=entry.pk).exists()
    assert issue(tu).symbol == "03-KH/TU"
    with pytest.raises(NumberTaken, match="đã bị hủy; số đã hủy không được cấp lại"):
        issue(tu, number=2, reason="Dùng lại")
    with pytest.raises(ValidationError, match="đã bị hủy trước đó"):
        do_cancel_entry(entry, reason="Lần nữa", acting_user=None)


def test_a_cancel_needs_a_reason_and_a_plan_number_is_not_cancelled(tu) -> None:
    with pytest.raises(ValidationError, match="Chưa nhập lý do hủy"):
        do_cancel_entry(issue(tu), reason="  ", acting_user=None)
    plan_entry = RegisterEntry.objects.get(body=tu, doc_type="KH", number=1)
    with pytest.raises(ValidationError, match="văn bản đã ban hành trong phần mềm"):
        do_cancel_entry(plan_entry, reason="Thử", acting_user=None)


def test_a_new_term_starts_again_at_01(tu) -> None:
    last_term = issue(tu, on=D(2020, 9, 29))
    assert (last_term.period.label, last_term.symbol) == ("Nhiệm kỳ 2015–2020", "01-KH/TU")
    assert issue(tu, on=D(2020, 9, 30)).symbol == "02-KH/TU"
    assert issue(tu, on=D(2020, 10, 1)).symbol == "02-KH/TU"  # 01 is the demo plan's


def test_the_first_plan_of_the_2025_structure_term_starts_at_01(units) -> None:
    from tinhuy.register.models import IssuingBody

    body = IssuingBody.objects.get(unit=units.province_2025)
    entry = issue(body, on=D(2025, 10, 20))
    assert (entry.period.label, entry.symbol) == ("Nhiệm kỳ 2025–2030", "01-KH/TU")


def test_a_date_outside_every_period_is_refused_naming_the_date(tu) -> None:
    with pytest.raises(ValidationError) as caught:
        issue(tu, on=D(2014, 5, 6))
    assert "Ngày 06/05/2014 không thuộc thời kỳ đánh số nào" in caught.value.messages[0]
    with pytest.raises(ValidationError, match="Ngày 06/05/2014"):
        next_number(tu, "KH", D(2014, 5, 6))


def test_overlapping_periods_are_refused(tu, personas) -> None:
    with pytest.raises(ValidationError) as caught:
        do_open_period(
            tu, label="Nhiệm kỳ thử", starts_on=D(2025, 6, 1), acting_user=personas.province_office
        )
    message = caught.value.messages[0]
    assert "Thời kỳ “Nhiệm kỳ thử” (từ 01/06/2025, chưa kết thúc) trùng với thời kỳ" in message
    assert "“Nhiệm kỳ 2020–2025” (01/10/2020 – 30/09/2025)" in message
    with pytest.raises(ValidationError, match="trùng với thời kỳ “Nhiệm kỳ 2015–2020”"):
        do_open_period(
            tu, label="Cũ", starts_on=D(2010, 1, 1), ends_on=D(2015, 10, 1), acting_user=None
        )
    with pytest.raises(ValidationError, match="ngày kết thúc 01/01/2026 trước ngày bắt đầu"):
        do_open_period(
            tu, label="Ngược", starts_on=D(2027, 1, 1), ends_on=D(2026, 1, 1), acting_user=None
        )
    # Adjacent is not overlapping.
    period = do_open_period(tu, label="Tiếp", starts_on=D(2025, 10, 1), acting_user=None)
    assert period.ends_on is None


def test_a_period_is_not_closed_before_a_number_it_holds(tu) -> None:
    period = tu.periods.get(label="Nhiệm kỳ 2020–2025")
    with pytest.raises(ValidationError, match="đã có số 01-KH/TU ngày 03/11/2020"):
        do_close_period(period, ends_on=D(2020, 10, 31), acting_user=None)


def test_party_and_state_numbers_are_written_each_their_way(tu, state_body) -> None:
    assert format_symbol("party", 15, "KH", "TU") == "15-KH/TU"
    assert format_symbol("state", 123, "QĐ", "UBND") == "123/QĐ-UBND"
    assert number_line("party", "15-KH/TU") == "Số 15-KH/TU"
    assert number_line("state", "123/QĐ-UBND") == "Số: 123/QĐ-UBND"
    entry = issue(state_body, "QĐ", on=D(2025, 3, 1))
    assert (entry.symbol, entry.number_line) == ("01/QĐ-UBND", "Số: 01/QĐ-UBND")
    # A state body's series is the calendar year.
    assert issue(state_body, "QĐ", on=D(2024, 12, 31)).symbol == "01/QĐ-UBND"
    assert issue(state_body, "QĐ", on=D(2025, 12, 31)).symbol == "02/QĐ-UBND"


def test_two_types_have_independent_series(tu) -> None:
    assert issue(tu, "TB").symbol == "01-TB/TU"
    assert issue(tu, "KH").symbol == "02-KH/TU"
    assert issue(tu, "TB").symbol == "02-TB/TU"
    assert issue(tu, "CTr").symbol == "02-CTr/TU"  # 01 is the demo's Gazetteer programme


def test_the_database_refuses_a_second_row_for_one_number(tu) -> None:
    entry = issue(tu)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegisterEntry.objects.create(
            body=tu,
            period=entry.period,
            doc_type="KH",
            number=entry.number,
            symbol=entry.symbol,
            issued_on=entry.issued_on,
            summary="Trùng",
            signer_name="X",
            signer_position="X",
            authority="X",
        )


def test_a_race_lost_at_the_constraint_reads_as_a_taken_number(tu, monkeypatch) -> None:
    """Another office wrote the proposed number between the read and the write: the unique
    constraint refuses it, in the same words as a taken number."""
    from tinhuy.register import actions

    monkeypatch.setattr(actions, "next_in_period", lambda period, doc_type: 1)
    with pytest.raises(NumberTaken, match="Số 01-KH/TU đã cấp ngày 03/11/2020"):
        issue(tu)


def test_bad_input_writes_nothing(tu) -> None:
    before = RegisterEntry.objects.count()
    for kwargs, message in (
        ({"summary": " "}, "Chưa nhập trích yếu"),
        ({"signer_name": ""}, "Chưa nhập người ký"),
        ({"number": 0, "reason": "x"}, "Số văn bản phải từ 1 đến 99.999"),
    ):
        with pytest.raises(ValidationError, match=message):
            issue(tu, **kwargs)
    with pytest.raises(ValidationError, match="Loại văn bản “XX” không có"):
        issue(tu, "XX")
    assert RegisterEntry.objects.count() == before


def test_a_unit_has_one_register_and_a_symbol_has_no_separator(units) -> None:
    with pytest.raises(ValidationError, match="đã có sổ đăng ký văn bản"):
        do_create_issuing_body(
            units.province_2020,
            symbol="TU",
            superior_name="A",
            name="B",
            place="C",
            acting_user=None,
        )
    with pytest.raises(ValidationError, match="không được chứa dấu"):
        do_create_issuing_body(
            units.nghiloc, symbol="H/U", superior_name="A", name="B", place="C", acting_user=None
        )


def test_every_action_writes_an_audit_event(tu, vinh_body, personas) -> None:
    entry = issue(vinh_body, acting_user=personas.vinh_officer)
    do_cancel_entry(entry, reason="Không ban hành", acting_user=personas.vinh_officer)
    events = AuditEvent.objects.filter(unit=vinh_body.unit, action__startswith="register.")
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "register.create_body",
        "register.open_period",
        "register.issue",
        "register.cancel",
    ]
    issued = events.get(action="register.issue")
    assert issued.actor == personas.vinh_officer
    assert issued.after["symbol"] == "01-KH/TU" and issued.after["proposed"] == 1
    assert events.get(action="register.cancel").after["cancel_reason"] == "Không ban hành"
