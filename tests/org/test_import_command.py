"""``tinhuy import-structure FILE --structure CODE [--dry-run]``: a thin shell over the import."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.conftest import Units
from tests.org.test_import import GOOD_ROWS, counts, csv_bytes
from tinhuy.audit.models import AuditEvent
from tinhuy.org.models import Unit


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_structure", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "vinh.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS))
    return path


def test_it_imports_the_file_and_says_how_many_units(units: Units, good_file: Path) -> None:
    """Success prints one sentence with the count and the structure's name."""
    out, err = run(str(good_file), "--structure", "nghe-an-2020")

    assert out.strip() == f"Đã nhập 3 đơn vị vào {units.structure_2020.name}."
    assert err == ""
    assert Unit.objects.get(structure=units.structure_2020, code="412-CS91").parent == units.vinh
    event = AuditEvent.objects.filter(action="unit.create").first()
    assert event is not None
    assert event.after["source"] == "vinh.csv"


def test_it_prints_every_error_on_its_own_line_and_fails(units: Units, tmp_path: Path) -> None:
    """Two bad rows: two lines on stderr, a non-zero exit, nothing written."""
    path = tmp_path / "sai.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["412-CS91", "", "co-so", "412", "Xã"],
                ["412-CS92", "Đảng bộ Thử Nghiệm", "co-so", "429-XX", "Xã"],
            ]
        )
    )
    before = counts()
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 lỗi"):
        call_command("import_structure", str(path), "--structure", "nghe-an-2020", stderr=err)

    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Dòng 2, cột “Tên”:")
    assert lines[1] == (
        "Dòng 3, cột “Mã đơn vị cấp trên”: không có đơn vị mã “429-XX” trong tệp hay trong cơ cấu."
    )
    assert counts() == before


def test_a_dry_run_checks_the_file_and_writes_nothing(units: Units, good_file: Path) -> None:
    before = counts()

    out, _ = run(str(good_file), "--structure", "nghe-an-2020", "--dry-run")

    assert "3 đơn vị sẽ được nhập" in out
    assert counts() == before


def test_an_unknown_structure_code_fails_listing_the_known_ones(
    units: Units, good_file: Path
) -> None:
    with pytest.raises(CommandError, match="nghe-an-2025"):
        run(str(good_file), "--structure", "khong-co")


def test_a_missing_file_fails_with_a_message_not_a_traceback(units: Units, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        run(str(tmp_path / "khong-co.csv"), "--structure", "nghe-an-2020")


@override_settings(TINHUY_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused(units: Units, good_file: Path) -> None:
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_structure", str(good_file), "--structure", "nghe-an-2020", stderr=err)

    assert "Tệp quá lớn" in err.getvalue()


def test_a_file_of_many_bad_rows_prints_a_hundred_lines_and_counts_the_rest(
    units: Units, tmp_path: Path
) -> None:
    """The CLI printed 3,000,001 error lines for a bomb; now the first 100 and a count."""
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([[f"412-X{n}", "", "co-so", "412", "Xã"] for n in range(250)]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="250 lỗi"):
        call_command("import_structure", str(path), structure="nghe-an-2020", stderr=err)
    assert len(err.getvalue().splitlines()) == 101
    assert "… và 150 lỗi khác" in err.getvalue()
