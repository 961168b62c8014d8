"""Reading any imported file: limits checked before parsing, formulas, encodings, headers."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from tinhuy.documents.tables import (
    Column,
    RowError,
    TableRefused,
    capped,
    cell_text,
    parse_count,
    parse_time,
    read_lines,
    read_table,
)
from tinhuy.documents.xlsx import Column as OutColumn
from tinhuy.documents.xlsx import Sheet, template_xlsx


def xlsx(rows: list[list[object]], title: str = "Dữ liệu") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refused(data: bytes, name: str = "a.xlsx", **kwargs: object) -> str:
    with pytest.raises(TableRefused) as caught:
        read_table(data, name, **kwargs)  # type: ignore[arg-type]
    return " ".join(e.message for e in caught.value.errors)


def bomb(rows: int, *, dimension: bool) -> bytes:
    """An .xlsx whose one sheet holds ``rows`` rows: a few hundred KB zipped."""
    source = io.BytesIO(xlsx([["Mã"]]))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in original.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info, original.read(info.filename))
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            head = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            if dimension:
                head += f'<dimension ref="A1:A{rows}"/>'
            sheet.write((head + "<sheetData>").encode())
            chunk = "".join(
                f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>'
                for n in range(1, 10_001)
            ).encode()
            for _ in range(rows // 10_000):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_the_archive_directory_in_well_under_a_second() -> None:
    """A million rows (≈ 80 MB of XML in a few hundred KB) never reach the parser."""
    data = bomb(1_000_000, dimension=False)
    assert len(data) < 5 * 1024 * 1024
    started = time.perf_counter()
    message = refused(data)
    assert time.perf_counter() - started < 1.0  # a bound on the refusal, not a benchmark
    assert "giải nén" in message


def test_a_sheet_over_the_row_limit_is_refused_before_parsing(settings) -> None:
    settings.TINHUY_IMPORT_MAX_ROWS = 1_000
    assert "mỗi lần chỉ nhận đến 1.000 dòng" in refused(bomb(10_000, dimension=False))
    assert "mỗi lần chỉ nhận đến 1.000 dòng" in refused(bomb(10_000, dimension=True))


def test_a_million_empty_rows_are_refused_with_a_clear_message() -> None:
    rows = "".join(f'<row r="{n}"/>' for n in range(2, 1_000_002))
    source = io.BytesIO(xlsx([["Mã"], ["A"]]))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in original.infolist():
            content = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            z.writestr(info.filename, content)
    assert "dòng dữ liệu" in refused(out.getvalue())


def test_a_file_that_is_not_a_zip_or_has_no_sheet_is_refused() -> None:
    assert "không đọc được" in refused(b"PK\x03\x04garbage")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "x")
    assert "không đọc được" in refused(out.getvalue())
    assert "không phải bảng tính" in refused(b"\x00\x01\x02", "a.csv")
    assert ".xls" in refused(b"\xd0\xcf\x11\xe0rest", "a.xls")


def test_a_formula_reads_as_its_saved_value_and_one_without_a_value_is_named() -> None:
    data = xlsx([["Mã", "Tổng"], ["A", "=1+1"]])  # openpyxl saves formulas without a value
    message = refused(data)
    assert "ô B2" in message and "công thức" in message


def test_text_that_looks_like_a_formula_is_read_as_text_never_as_empty() -> None:
    table = read_table(xlsx([["Mã"], ["'=HYPERLINK(1)"], ["@x"]]), "a.xlsx")
    assert [cell_text(row[0]) for row in table[1:]] == ["=HYPERLINK(1)", "@x"]
    table = read_table("Mã\r\n=1+1\r\n".encode(), "a.csv")
    assert cell_text(table[1][0]) == "=1+1"


def test_a_utf16_csv_is_read_and_a_broken_one_names_its_encoding() -> None:
    table = read_table("Họ và tên\tMã\nNguyễn Văn A\t1\n".encode("utf-16"), "a.csv")
    assert table[1] == ["Nguyễn Văn A", "1"]
    assert "UTF-16" in refused(b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00", "a.csv")
    assert "UTF-8" in refused("Mã\nMã\n".encode("latin-1"), "a.csv")


def test_the_wanted_sheet_is_found_folded_and_a_missing_one_named() -> None:
    data = xlsx([["Mã"], ["A"]], title="Diem danh")
    assert read_table(data, "a.xlsx", sheet="Điểm danh")[1] == ["A"]
    message = refused(xlsx([["Mã"]], title="Khác"), sheet="Đơn vị", require_sheet=True)
    assert "“Đơn vị”" in message and "“Khác”" in message


def test_headers_match_by_folded_name_alias_or_key_and_report_missing_and_twice() -> None:
    columns = [Column("code", "Mã chi bộ", ("cell code",)), Column("name", "Họ và tên")]
    lines, errors = read_lines([["  MA   CHI BO ", "ho va ten", "Ghi chú"], ["C1", "An"]], columns)
    assert errors == [] and lines[0].cells == {"code": "C1", "name": "An"}
    lines, errors = read_lines([["Cell Code", "Họ và tên", "Họ và tên"], ["C1", "An"]], columns)
    assert [e.message for e in errors] == ["Dòng 1, cột “Họ và tên”: cột này có hai lần."]
    _, errors = read_lines([["Họ và tên"], ["An"]], columns)
    assert errors[0].row == 1 and errors[0].column == "Mã chi bộ"


def test_rows_keep_their_spreadsheet_numbers_across_blank_rows() -> None:
    lines, _ = read_lines(
        read_table(xlsx([["Mã"], ["A"], [None], ["B"]]), "a.xlsx"), {"code": "Mã"}
    )
    assert [(line.number, line.text("code")) for line in lines] == [(2, "A"), (4, "B")]


def test_capped_keeps_the_first_hundred_errors_and_counts_the_rest() -> None:
    errors = [RowError(n, "Mã", f"Dòng {n}") for n in range(2, 3_000_002)]
    shown = capped(errors)
    assert len(shown) == 101
    assert shown[-1].message.startswith("… và 2.999.900 lỗi khác")


def test_counts_beyond_64_bits_are_errors_not_overflows() -> None:
    assert parse_count("9223372036854775808")[0] is None
    assert "quá lớn" in (parse_count(10**20)[1] or "")
    assert parse_count("1" * 400)[0] is None
    assert parse_count(12.0) == (12, None)


@pytest.mark.parametrize("text", ["07:30", "7:30", "7h30", "7h", "7 giờ 30"])
def test_times_are_read_as_offices_write_them(text: str) -> None:
    assert parse_time(text)[0] is not None and parse_time(text)[0].hour == 7


def test_a_template_reads_back_as_written() -> None:
    sheet = Sheet(
        "Đảng viên", [OutColumn("Mã", typed_as_text=True), OutColumn("Tên")], [["012", "=A"]]
    )
    table = read_table(template_xlsx(sheet, meta={"v": 1}), "t.xlsx", sheet="Đảng viên")
    assert [cell_text(c) for c in table[1]] == ["012", "=A"]


def test_capped_remembers_the_total() -> None:
    assert capped([RowError(2, "Mã", "x")] * 150).total == 150
    assert capped([]).total == 0


def test_a_damaged_or_lying_archive_is_refused_not_a_server_error() -> None:
    """A flipped byte in the sheet's data, or a directory that lies about a member's size."""
    good = xlsx([["Mã"], *[[f"A{n}"] for n in range(200)]])
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in (start + 10, start + info.compress_size // 2):
        damaged = bytearray(good)
        damaged[offset] ^= 0xFF
        assert "không đọc được" in refused(bytes(damaged))
    lying = good.replace(info.file_size.to_bytes(4, "little"), (10).to_bytes(4, "little"))
    assert "không đọc được" in refused(lying)


def with_sheet(source: bytes, edit, rels=None) -> bytes:  # type: ignore[no-untyped-def]
    """``source`` with its first sheet's XML passed through ``edit`` (and its rels through
    ``rels``), re-zipped."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z,
    ):
        for info in original.infolist():
            content = original.read(info.filename)
            name = info.filename
            if name == "xl/worksheets/sheet1.xml":
                content = edit(content)
            if rels is not None and name == "xl/_rels/workbook.xml.rels":
                content = rels(content)
            z.writestr(name, content)
    return out.getvalue()


def test_a_far_away_cell_is_refused_before_calamine_builds_the_rectangle() -> None:
    """A1 and ZZ199000 in 1.5 KB made calamine build 199,000 × 702 empty cells (5.4 GB)."""
    data = xlsx([["Mã"]])
    far = with_sheet(
        data,
        lambda x: x.replace(
            b"</sheetData>",
            b'<row r="199000"><c r="ZZ199000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        ),
    )
    started = time.perf_counter()
    assert "cột" in refused(far)
    assert time.perf_counter() - started < 1.0
    deep = with_sheet(
        data,
        lambda x: x.replace(
            b"</sheetData>",
            b'<row><c r="A900000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        ),
    )
    assert "dòng" in refused(deep)


def test_cells_without_a_position_are_refused() -> None:
    wide = b"<row>" + b"<c/>" * 700 + b"</row>" + b"<row/>" * 20_000
    data = with_sheet(xlsx([["Mã"]]), lambda x: x.replace(b"</sheetData>", wide + b"</sheetData>"))
    assert "không ghi vị trí" in refused(data)


def test_a_nul_escaped_in_a_cell_is_refused_not_sent_to_the_database() -> None:
    """calamine turns OOXML's _x0000_ into a NUL, which PostgreSQL refuses (a 500)."""
    assert "NUL" in refused(xlsx([["Mã"], ["a_x0000_b"]]))


def test_a_sheet_renamed_in_another_case_is_still_checked_before_parsing() -> None:
    """calamine found "worksheets/SHEET1.xml" ignoring case; the checks did not, and let a
    formula without its value (or a million rows) through."""
    data = xlsx([["Mã", "Tổng"], ["A", "=1+1"]])
    upper = with_sheet(data, lambda x: x, rels=lambda r: r.replace(b"sheet1.xml", b"SHEET1.xml"))
    assert "công thức" in refused(upper)


def test_cells_whose_reference_is_not_their_first_attribute_are_read() -> None:
    """The quick scan looks for a cell not starting with its reference; such a cell with its
    reference further on is counted apart and read."""
    data = with_sheet(
        xlsx([["Mã", "Tên"], ["A", "B"]]),
        lambda x: x.replace(b'<c r="A2"', b'<c s="0" r="A2"').replace(
            b'<c r="B2"', b'<c s="0" r="B2"'
        ),
    )
    assert read_table(data, "a.xlsx") == [["Mã", "Tên"], ["A", "B"]]


def test_cells_with_attributes_but_no_position_are_refused() -> None:
    wide = b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 700 + b"</row>"
    data = with_sheet(xlsx([["Mã"]]), lambda x: x.replace(b"</sheetData>", wide + b"</sheetData>"))
    assert "không ghi vị trí" in refused(data)


def test_prefixed_rows_and_row_breaks_are_counted_as_before(settings) -> None:
    settings.TINHUY_IMPORT_MAX_ROWS = 1_000
    prefixed = b'<x:row xmlns:x="urn:x"/>' * 1_200
    data = with_sheet(
        xlsx([["Mã"]]), lambda x: x.replace(b"</sheetData>", prefixed + b"</sheetData>")
    )
    assert "mỗi lần chỉ nhận đến 1.000 dòng" in refused(data)
    # 1,001 rows and a page break: the break is not a row, the file is within the limit.
    rows = b"".join(b'<row r="%d"/>' % n for n in range(2, 1_002))
    breaks = b'<rowBreaks count="1"><brk id="5" max="16383" man="1"/></rowBreaks>'
    data = with_sheet(
        xlsx([["Mã"]]),
        lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>" + breaks),
    )
    assert read_table(data, "a.xlsx")[0] == ["Mã"]
