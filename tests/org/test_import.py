"""Import of units from CSV or .xlsx: every row is checked, then all are written or none."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from tests.conftest import Personas, Units
from tinhuy.audit.models import AuditEvent
from tinhuy.org import importing
from tinhuy.org.actions import LevelSpec, UnitSpec, do_create_structure
from tinhuy.org.importing import (
    ImportResult,
    RowError,
    import_structure,
    parse_rows,
    template_csv,
    template_xlsx,
)
from tinhuy.org.models import Structure, Unit

HEADER = ["Mã", "Tên", "Cấp", "Mã đơn vị cấp trên", "Loại"]
TEMPLATE_HEADER = [*HEADER, "Số đảng viên"]  # the optional column the templates offer
# Two grassroots organisations under Vinh ("412", district level) and a cell under the first;
# the cell comes first: the order of the rows does not matter.
GOOD_ROWS = [
    ["412-CS91-CB01", "Chi bộ khối 1", "chi-bo", "412-CS91", "Chi bộ"],
    ["412-CS91", "Đảng bộ phường Thử Nghiệm", "co-so", "412", "grassroots"],
    ["412-CS92", "Đảng bộ xã Thử Nghiệm", "Cấp cơ sở", "412", "Xã"],
]


def csv_bytes(rows: Sequence[Sequence[object]], delimiter: str = ",", header=HEADER) -> bytes:
    lines = [delimiter.join(str(cell) for cell in row) for row in [header, *rows]]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(rows: Sequence[Sequence[object]], sheet: str = "Đơn vị", header=HEADER) -> bytes:
    workbook = Workbook()
    workbook.active.title = sheet
    for row in [header, *rows]:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def counts() -> tuple[int, int]:
    return Unit.objects.count(), AuditEvent.objects.count()


def rejected(
    structure: Structure, content: bytes, user: object, filename: str = "don-vi.csv"
) -> list[RowError]:
    """Import a bad file: it must come back with errors and write nothing at all."""
    before = counts()
    result = import_structure(structure, content, filename, acting_user=user)
    assert result.errors
    assert result.created == 0
    assert counts() == before
    return result.errors


def assert_names(error: RowError, row: int, column: str) -> None:
    """The error points at the cell, in its fields and in its sentence."""
    assert (error.row, error.column) == (row, column)
    assert error.message.startswith(f"Dòng {row}, cột “{column}”: ")
    assert error.message.endswith(".")


def only_error(errors: list[RowError]) -> RowError:
    assert len(errors) == 1, [e.message for e in errors]
    return errors[0]


# Success ------------------------------------------------------------------------------------


def test_it_creates_units_with_their_place_in_the_tree(units: Units, personas: Personas) -> None:
    """Each unit hangs under its parent, stored or from the file, with the right path and depth."""
    result = import_structure(
        units.structure_2020, csv_bytes(GOOD_ROWS), "vinh.csv", acting_user=personas.province_office
    )

    assert result == ImportResult(created=3, errors=[])
    created = {u.code: u for u in Unit.objects.filter(code__startswith="412-CS9")}
    grassroots, cell = created["412-CS91"], created["412-CS91-CB01"]
    assert grassroots.parent == units.vinh
    assert grassroots.path == f"{units.vinh.path}{grassroots.pk}/"
    assert grassroots.depth == units.vinh.depth + 1
    assert grassroots.level.code == "co-so"
    assert grassroots.kind == "grassroots"
    assert cell.parent == grassroots
    assert cell.path == f"{grassroots.path}{cell.pk}/"
    assert cell.depth == grassroots.depth + 1
    assert (cell.level.code, cell.kind) == ("chi-bo", "cell")
    assert (created["412-CS92"].level.code, created["412-CS92"].kind) == ("co-so", "commune")


def test_it_writes_one_audit_event_per_unit_naming_the_file(
    units: Units, personas: Personas
) -> None:
    """The audit log says who imported each unit and from which file."""
    import_structure(
        units.structure_2020, csv_bytes(GOOD_ROWS), "vinh.csv", acting_user=personas.province_office
    )

    events = AuditEvent.objects.filter(action="unit.create", target_repr__contains="Thử Nghiệm")
    events |= AuditEvent.objects.filter(action="unit.create", target_repr="Chi bộ khối 1")
    assert events.count() == 3
    for event in events:
        assert event.after["source"] == "vinh.csv"
        assert event.actor == personas.province_office


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_it_reads_csv_separated_by_commas_or_by_semicolons_as_vietnamese_excel_writes(
    units: Units, personas: Personas, delimiter: str
) -> None:
    """Excel in a Vietnamese locale saves CSV with ";"; both separators work."""
    result = import_structure(
        units.structure_2020,
        csv_bytes(GOOD_ROWS, delimiter=delimiter),
        "vinh.csv",
        acting_user=personas.province_office,
    )

    assert result == ImportResult(created=3, errors=[])


def test_it_reads_the_units_sheet_of_an_xlsx_even_with_codes_typed_as_numbers(
    units: Units, personas: Personas
) -> None:
    """Excel stores a code typed as 412 as a number; it is read back as the code "412"."""
    rows = [[9001, "Đảng bộ Cơ quan Thử Nghiệm", "co-so", 412, "agency"]]

    result = import_structure(
        units.structure_2020, xlsx_bytes(rows), "vinh.xlsx", acting_user=personas.province_office
    )

    assert result == ImportResult(created=1, errors=[])
    assert Unit.objects.get(structure=units.structure_2020, code="9001").parent == units.vinh


def test_headers_match_ignoring_case_marks_and_surrounding_spaces(
    units: Units, personas: Personas
) -> None:
    """ "ma don vi cap tren" is the column “Mã đơn vị cấp trên”; columns may come in any order."""
    header = [" TEN ", "ma", "Loai", "ma don vi cap tren", "cấp"]
    rows = [["Đảng bộ phường Thử Nghiệm", "412-CS91", "Phường", "412", "co-so"]]

    result = import_structure(
        units.structure_2020,
        csv_bytes(rows, header=header),
        "vinh.csv",
        acting_user=personas.province_office,
    )

    assert result == ImportResult(created=1, errors=[])
    assert Unit.objects.get(code="412-CS91", structure=units.structure_2020).kind == "ward"


def test_it_builds_a_whole_tree_into_an_empty_structure(personas: Personas) -> None:
    """A structure without units takes one root row and everything below it."""
    structure = new_structure(personas)
    rows = [
        ["T", "Đảng bộ tỉnh Thử Nghiệm", "tinh", "", "province"],
        ["T-01", "Đảng bộ xã Một", "xa", "T", "commune"],
    ]

    result = import_structure(
        structure, csv_bytes(rows), "moi.csv", acting_user=personas.province_office
    )

    assert result.created == 2
    root = Unit.objects.get(structure=structure, code="T")
    assert (root.parent, root.depth, root.path) == (None, 0, f"/{root.pk}/")


def test_cells_are_stripped_and_empty_rows_skipped_while_row_numbers_follow_the_sheet(
    units: Units, personas: Personas
) -> None:
    """An empty row 2 is skipped, yet the bad row below it is reported as row 3."""
    rows = [
        ["", "", "", "", ""],
        ["  412-CS91 ", " Đảng bộ Thử Nghiệm ", "co-so", "412", "Hợp tác"],
    ]

    errors = rejected(units.structure_2020, csv_bytes(rows), personas.province_office)

    assert_names(only_error(errors), 3, "Loại")


def test_a_dry_run_checks_the_file_and_writes_nothing(units: Units, personas: Personas) -> None:
    """With dry_run the result says how many units would be created; nothing is stored."""
    before = counts()

    result = import_structure(
        units.structure_2020,
        csv_bytes(GOOD_ROWS),
        "vinh.csv",
        acting_user=personas.province_office,
        dry_run=True,
    )

    assert result == ImportResult(created=3, errors=[])
    assert counts() == before


def test_a_code_taken_between_the_check_and_the_write_is_an_error_not_a_crash(
    units: Units, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If another import stores the same code meanwhile, the database refuses; nothing is kept."""
    specs = [
        UnitSpec("412-CS91", "Đảng bộ Thử Nghiệm", "co-so", "grassroots", "412"),
        UnitSpec(units.vinh_grassroots.code, "Trùng mã", "co-so", "grassroots", "412"),
    ]
    monkeypatch.setattr(importing, "validate", lambda structure, rows: (specs, []))

    error = only_error(
        rejected(units.structure_2020, csv_bytes(GOOD_ROWS), personas.province_office)
    )

    assert "hãy nhập lại tệp" in error.message


# Errors in rows -----------------------------------------------------------------------------


def test_a_code_used_twice_in_the_file_is_reported_naming_both_rows(
    units: Units, personas: Personas
) -> None:
    rows = [GOOD_ROWS[1], GOOD_ROWS[2], ["412-CS91", "Đảng bộ khác", "co-so", "412", "Xã"]]

    error = only_error(rejected(units.structure_2020, csv_bytes(rows), personas.province_office))

    assert_names(error, 4, "Mã")
    assert "“412-CS91”" in error.message
    assert "dòng 2" in error.message


def test_a_code_already_in_the_structure_is_reported(units: Units, personas: Personas) -> None:
    rows = [GOOD_ROWS[1], [units.vinh_grassroots.code, "Trùng mã", "co-so", "412", "Xã"]]

    error = only_error(rejected(units.structure_2020, csv_bytes(rows), personas.province_office))

    assert_names(error, 3, "Mã")
    assert f"“{units.vinh_grassroots.code}” đã có trong cơ cấu" in error.message


def test_an_unknown_parent_code_is_reported(units: Units, personas: Personas) -> None:
    rows = [GOOD_ROWS[1], ["429-CS91", "Đảng bộ Thử Nghiệm", "co-so", "429-XX", "Xã"]]

    error = only_error(rejected(units.structure_2020, csv_bytes(rows), personas.province_office))

    assert error.message == (
        "Dòng 3, cột “Mã đơn vị cấp trên”: không có đơn vị mã “429-XX” trong tệp hay trong cơ cấu."
    )
    assert_names(error, 3, "Mã đơn vị cấp trên")


def test_a_parent_from_another_structure_is_unknown(units: Units, personas: Personas) -> None:
    """Codes are looked up in this structure only: a commune of 2025 is no parent in 2020."""
    rows = [["CS-1", "Đảng bộ Thử Nghiệm", "co-so", units.commune_2025.code, "Xã"]]

    error = only_error(rejected(units.structure_2020, csv_bytes(rows), personas.province_office))

    assert_names(error, 2, "Mã đơn vị cấp trên")


def test_a_cycle_of_parents_is_reported_on_each_of_its_rows(
    units: Units, personas: Personas
) -> None:
    """A's parent is B and B's parent is A: neither reaches the structure."""
    rows = [
        GOOD_ROWS[1],
        ["A", "Chi bộ A", "chi-bo", "B", "cell"],
        ["B", "Chi bộ B", "chi-bo", "A", "cell"],
    ]

    errors = rejected(units.structure_2020, csv_bytes(rows), personas.province_office)

    cycle_errors = [e for e in errors if "vòng tròn" in e.message]
    assert [e.row for e in cycle_errors] == [3, 4]
    for error in cycle_errors:
        assert_names(error, error.row, "Mã đơn vị cấp trên")
        assert "“A” → “B” → “A”" in error.message or "“B” → “A” → “B”" in error.message


def test_a_unit_that_is_its_own_parent_is_a_cycle(units: Units, personas: Personas) -> None:
    rows = [["A", "Chi bộ A", "chi-bo", "A", "cell"]]

    error = only_error(rejected(units.structure_2020, csv_bytes(rows), personas.province_office))

    assert_names(error, 2, "Mã đơn vị cấp trên")
    assert "vòng tròn" in error.message


def test_an_empty_name_and_an_empty_code_are_reported(units: Units, personas: Personas) -> None:
    rows = [
        ["412-CS91", "", "co-so", "412", "Xã"],
        ["", "Đảng bộ không mã", "co-so", "412", "Xã"],
    ]

    errors = rejected(units.structure_2020, csv_bytes(rows), personas.province_office)

    assert len(errors) == 2
    assert_names(errors[0], 2, "Tên")
    assert "chưa có tên" in errors[0].message
    assert_names(errors[1], 3, "Mã")
    assert "chưa có mã" in errors[1].message


def test_a_level_not_in_the_structure_is_reported(units: Units, personas: Personas) -> None:
    """The 2020 structure has no "xa" level (that is 2025's); the message lists the real ones."""
    rows = [["412-CS91", "Đảng bộ Thử Nghiệm", "xa", "412", "Xã"]]

    error = only_error(rejected(units.structure_2020, csv_bytes(rows), personas.province_office))

    assert_names(error, 2, "Cấp")
    assert "“xa”" in error.message
    assert "“co-so” (Cấp cơ sở)" in error.message


@pytest.mark.parametrize(
    ("rows", "bad_row"),
    [
        # Under Vinh (district level) a unit of the same level.
        ([["412-X", "Đảng bộ Thử Nghiệm", "huyen", "412", "district"]], 2),
        # In the file, a grassroots organisation under a cell.
        ([GOOD_ROWS[0], GOOD_ROWS[1], ["412-Y", "Đảng bộ Y", "co-so", "412-CS91-CB01", "Xã"]], 4),
    ],
    ids=["same-level-as-a-stored-parent", "above-a-parent-in-the-file"],
)
def test_a_child_must_sit_at_a_level_strictly_below_its_parent(
    units: Units, personas: Personas, rows: list[list[str]], bad_row: int
) -> None:
    error = only_error(rejected(units.structure_2020, csv_bytes(rows), personas.province_office))

    assert_names(error, bad_row, "Cấp")
    assert "phải thấp hơn cấp của đơn vị cấp trên" in error.message


def test_an_unknown_kind_is_reported_with_the_allowed_ones(
    units: Units, personas: Personas
) -> None:
    rows = [["412-CS91", "Đảng bộ Thử Nghiệm", "co-so", "412", "Hợp tác xã"]]

    error = only_error(rejected(units.structure_2020, csv_bytes(rows), personas.province_office))

    assert_names(error, 2, "Loại")
    assert "“Hợp tác xã”" in error.message
    assert "Tổ chức cơ sở đảng" in error.message


def test_a_second_root_in_the_file_is_reported(personas: Personas) -> None:
    """An empty structure takes one root; the second row without a parent is an error."""
    structure = new_structure(personas)
    rows = [
        ["T", "Đảng bộ tỉnh Thử Nghiệm", "tinh", "", "province"],
        ["U", "Đảng bộ tỉnh Khác", "tinh", "", "province"],
    ]

    error = only_error(rejected(structure, csv_bytes(rows), personas.province_office))

    assert_names(error, 3, "Mã đơn vị cấp trên")
    assert "dòng 2 đã là đơn vị gốc" in error.message


def test_a_root_in_a_structure_that_has_one_is_reported(units: Units, personas: Personas) -> None:
    rows = [["T", "Đảng bộ tỉnh Thử Nghiệm", "tinh", "", "province"]]

    error = only_error(rejected(units.structure_2020, csv_bytes(rows), personas.province_office))

    assert_names(error, 2, "Mã đơn vị cấp trên")
    assert units.province_2020.name in error.message


def test_every_error_of_every_row_is_reported_not_only_the_first(
    units: Units, personas: Personas
) -> None:
    rows = [
        ["", "", "tinh-thanh", "429-XX", "?"],
        GOOD_ROWS[1],
        ["412-CS91", "Trùng", "co-so", "412", "Xã"],
    ]

    errors = rejected(units.structure_2020, csv_bytes(rows), personas.province_office)

    assert [(e.row, e.column) for e in errors] == [
        (2, "Mã"),
        (2, "Tên"),
        (2, "Cấp"),
        (2, "Mã đơn vị cấp trên"),
        (2, "Loại"),
        (4, "Mã"),
    ]


# Errors in the file -------------------------------------------------------------------------


def test_a_missing_column_is_reported_with_the_expected_and_the_found_headers(
    units: Units, personas: Personas
) -> None:
    header = ["Mã", "Tên", "Cấp", "Mã đơn vị cấp trên"]
    content = csv_bytes([row[:4] for row in GOOD_ROWS], header=header)

    error = only_error(rejected(units.structure_2020, content, personas.province_office))

    assert_names(error, 1, "Loại")
    assert "thiếu cột" in error.message
    assert "tệp có các cột: “Mã”, “Tên”, “Cấp”, “Mã đơn vị cấp trên”" in error.message


def test_a_renamed_column_is_reported_as_unrecognised_and_missing(
    units: Units, personas: Personas
) -> None:
    header = ["Mã", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Loại"]

    errors = rejected(
        units.structure_2020, csv_bytes(GOOD_ROWS, header=header), personas.province_office
    )

    unknown, missing = errors
    assert_names(unknown, 1, "Tên đơn vị")
    assert "không được nhận ra" in unknown.message
    assert "Các cột cần có: “Mã”, “Tên”, “Cấp”, “Mã đơn vị cấp trên”, “Loại”" in unknown.message
    assert_names(missing, 1, "Tên")
    assert "“Tên đơn vị”" in missing.message


def test_an_xlsx_without_the_units_sheet_names_the_sheets_it_has(
    units: Units, personas: Personas
) -> None:
    content = xlsx_bytes(GOOD_ROWS, sheet="Sheet1")

    error = only_error(
        rejected(units.structure_2020, content, personas.province_office, "vinh.xlsx")
    )

    assert (error.row, error.column) == (None, None)
    assert "không có trang tính “Đơn vị”" in error.message
    assert "“Sheet1”" in error.message


@override_settings(TINHUY_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    units: Units, personas: Personas
) -> None:
    content = csv_bytes(GOOD_ROWS)
    assert len(content) > 100

    error = only_error(rejected(units.structure_2020, content, personas.province_office))

    assert (error.row, error.column) == (None, None)
    assert "Tệp quá lớn" in error.message


@pytest.mark.parametrize(
    "content",
    [
        # latin-1: "ã" is one byte, 0xE3.
        "Mã,Tên,Cấp,Mã đơn vị cấp trên,Loại\r\n".encode()
        + "412-CS91,Đảng bộ Thử,co-so,412,Xa\r\n".encode()
        + "412-CS92,Xã,co-so,412,Xa\r\n".encode("latin-1"),
        # cp1258 (Windows Vietnamese): "ã" is "a" and a combining tilde, 0xDE.
        "Mã,Tên,Cấp,Mã đơn vị cấp trên,Loại\r\n".encode()
        + "412-CS91,Đảng bộ Thử,co-so,412,Xa\r\n".encode()
        + "412-CS92,Xa\u0303,co-so,412,Xa\r\n".encode("cp1258"),
    ],
    ids=["latin-1", "cp1258"],
)
def test_a_csv_not_saved_as_utf8_is_refused_naming_the_first_bad_line(
    units: Units, personas: Personas, content: bytes
) -> None:
    error = only_error(rejected(units.structure_2020, content, personas.province_office))

    assert "UTF-8" in error.message
    assert "“CSV UTF-8" in error.message
    assert "dòng 3" in error.message


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (bytes(range(256)) * 4, "don-vi.xlsx"),
        (b"PK\x03\x04" + bytes(range(256)), "don-vi.xlsx"),
        (b"\x00\x01\x02binary", "don-vi.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "don-vi.xls"),
    ],
    ids=["random-bytes", "broken-zip", "binary-named-csv", "excel-97"],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_with_a_clear_message(
    units: Units, personas: Personas, content: bytes, filename: str
) -> None:
    error = only_error(rejected(units.structure_2020, content, personas.province_office, filename))

    assert (error.row, error.column) == (None, None)
    assert ".xlsx" in error.message


@pytest.mark.parametrize(
    "content", [b"", "\ufeffMã,Tên,Cấp,Mã đơn vị cấp trên,Loại\r\n,,,,\r\n".encode()]
)
def test_a_file_without_data_rows_is_refused(content: bytes) -> None:
    rows, errors = parse_rows(content, "don-vi.csv")

    assert rows == []
    assert len(errors) == 1


# Templates ----------------------------------------------------------------------------------


def test_the_xlsx_template_has_the_units_sheet_and_a_guide(units: Units) -> None:
    """Sheet “Đơn vị”: bold header and one example; sheet “Hướng dẫn”: columns, levels, kinds."""
    workbook = load_workbook(io.BytesIO(template_xlsx(units.structure_2020)))

    assert workbook.sheetnames == ["Đơn vị", "Hướng dẫn"]
    sheet = workbook["Đơn vị"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == TEMPLATE_HEADER
    assert len(rows) == 2
    assert all(cell.font.bold for cell in sheet[1])
    guide = "\n".join(
        str(cell) for row in workbook["Hướng dẫn"].iter_rows(values_only=True) for cell in row
    )
    for text in ["Mã đơn vị cấp trên", "co-so", "Cấp cơ sở", "chi-bo", "grassroots", "Xã"]:
        assert text in guide


def test_the_csv_template_is_utf8_with_a_bom_for_excel(units: Units) -> None:
    content = template_csv(units.structure_2025)

    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines()[0] == ",".join(TEMPLATE_HEADER)


@pytest.mark.parametrize("make", [template_csv, template_xlsx], ids=["csv", "xlsx"])
def test_the_example_row_of_a_template_is_in_a_valid_form(
    units: Units, personas: Personas, make
) -> None:
    """The example's level, parent and kind are real values of the structure; only its name
    says it is the example, and the import refuses it as such (it was written as a real unit)."""
    filename = "mau.csv" if make is template_csv else "mau.xlsx"

    result = import_structure(
        units.structure_2025,
        make(units.structure_2025),
        filename,
        acting_user=personas.province_office,
        dry_run=True,
    )

    assert result.created == 0
    [error] = result.errors
    assert (error.row, error.column) == (2, "Tên")
    assert "dòng ví dụ của tệp mẫu" in error.message


def new_structure(personas: Personas) -> Structure:
    return do_create_structure(
        code="thu-nghiem",
        name="Cơ cấu thử nghiệm",
        levels=[LevelSpec("tinh", "Cấp tỉnh"), LevelSpec("xa", "Cấp xã")],
        acting_user=personas.province_office,
    )
