"""A small renderer of Party documents as .docx (Hướng dẫn 36-HD/VPTW, ``PARTY-DOCUMENTS.md``).

A caller opens a ``PartyDocument`` with the header facts (issuing body, number, place and date,
document type and summary), adds headings, paragraphs and tables, then closes it with the
signature block and the recipients and gets the bytes. Every size and margin comes from
``tinhuy.documents.party_style``; this module only places the parts. A page wider than tall in
the style (``PARTY_STYLE_LANDSCAPE``) is printed landscape; a table cell is plain text or a run
of ``Span``s (bold or italic pieces, line breaks where the text has "\n").

The text of a Party document is Vietnamese whatever language the user reads the site in: it is
an official document, not a page, so nothing here goes through gettext. Its figures are written
by ``tinhuy.documents.numbers`` (1.234,5 and 96,9%), the one formatter of pages and files.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_UNDERLINE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tinhuy.documents.party_style import PARTY_STYLE, PartyStyle
from tinhuy.search.text import fold

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"

# ---------------------------------------------------------------------------------------------
# Party naming: who issues, under which number, on which date.


@dataclass(frozen=True)
class IssuingBody:
    """The top-left block of a Party document and the names derived from it."""

    superior: str  # ĐẢNG BỘ TỈNH NGHỆ AN
    name: str  # TỈNH ỦY, THÀNH ỦY VINH, HUYỆN ỦY NGHI LỘC (bold capitals)
    symbol: str  # TU, HU, ĐU: the issuing body's part of "15-KH/TU"
    kind: str  # "Tỉnh ủy", "Huyện ủy": "Văn phòng Huyện ủy", "Huyện ủy viên"
    committee: str  # "Tỉnh ủy", "Thành ủy Vinh": as the body text names it
    superior_committee: str  # "Tỉnh ủy" above a district; "" at the top of the tree
    place: str  # "Nghệ An", "Vinh", "Nghi Lộc": for the place-date line; "" when unknown

    @property
    def archive(self) -> str:
        """The last recipient: "- Lưu Văn phòng Tỉnh ủy."."""
        return f"Văn phòng {self.kind}" if self.kind else "hồ sơ"


# Unit name prefix → the committee that leads that Party organisation, and its symbol. The
# city, town and province committees all abbreviate to TU (Thành ủy, Thị ủy, Tỉnh ủy).
_COMMITTEES = (
    ("Đảng bộ tỉnh ", "Tỉnh ủy", "TU"),
    ("Đảng bộ thành phố ", "Thành ủy", "TU"),
    ("Đảng bộ thị xã ", "Thị ủy", "TU"),
    ("Đảng bộ huyện ", "Huyện ủy", "HU"),
    # Any other "Đảng bộ X" (a block, a commune, an agency) is led by the "Đảng ủy X".
    ("Đảng bộ ", "Đảng ủy", "ĐU"),
)


def _committee(unit_name: str) -> tuple[str, str, str, str]:
    """(kind, committee, symbol, place): ("Huyện ủy", "Huyện ủy Nghi Lộc", "HU", "Nghi Lộc")."""
    for prefix, kind, symbol in _COMMITTEES:
        if unit_name.startswith(prefix):
            place = unit_name.removeprefix(prefix).strip()
            # The province committee is just "Tỉnh ủy": the superior line names the province.
            committee = kind if kind == "Tỉnh ủy" else f"{kind} {place}"
            return kind, committee, symbol, place
    return "", unit_name, "", ""


def issuing_body(unit_name: str, parent_name: str | None) -> IssuingBody:
    """The issuing body of a document issued for the Party organisation ``unit_name``.

    "Đảng bộ tỉnh Nghệ An" → ĐẢNG BỘ TỈNH NGHỆ AN / TỈNH ỦY; "Đảng bộ thành phố Vinh" under it
    → ĐẢNG BỘ TỈNH NGHỆ AN / THÀNH ỦY VINH; "Đảng bộ huyện X" → HUYỆN ỦY X; "Đảng bộ thị xã X"
    → THỊ ỦY X; another "Đảng bộ X" (a block, a commune) → ĐẢNG ỦY X; any other name → BAN
    THƯỜNG VỤ + the name. The superior line is the parent organisation's name, or the unit's
    own name at the top of the tree.
    """
    kind, committee, symbol, place = _committee(unit_name)
    superior = (parent_name or unit_name).upper()
    superior_committee = _committee(parent_name)[1] if parent_name else ""
    name = committee.upper() if kind else f"BAN THƯỜNG VỤ {unit_name.upper()}"
    return IssuingBody(superior, name, symbol, kind, committee, superior_committee, place)


def number_line(number: str, *, document_symbol: str, body: IssuingBody) -> str:
    """ "Số 15-KH/TU"; without a number yet, a blank for the office to fill: "Số     -BC/TU"."""
    if number:
        return f"Số {number}"
    symbol = f"{document_symbol}/{body.symbol}" if body.symbol else document_symbol
    return f"Số     -{symbol}"


def place_date_line(place: str, day: datetime.date | None) -> str:
    """ "Nghệ An, ngày 15 tháng 01 năm 2021": day and month always with two digits."""
    if day is None:
        return f"{place}, ngày     tháng     năm     "
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def date_text(day: datetime.date | None) -> str:
    """dd/mm/yyyy, as in the body text of an office document."""
    return f"{day:%d/%m/%Y}" if day else ""


# The central and provincial Propaganda Boards merged with the Mass Mobilisation Boards; the
# merged central board was announced on 03/02/2025. A document names the board of its date.
PROPAGANDA_MERGER = datetime.date(2025, 2, 3)


def propaganda_board(of: str, on: datetime.date) -> str:
    """ "Ban Tuyên giáo Trung ương" before the merger, "Ban Tuyên giáo và Dân vận Trung ương"
    after it (``of``: "Trung ương", "Tỉnh ủy")."""
    if on < PROPAGANDA_MERGER:
        return f"Ban Tuyên giáo {of}"
    return f"Ban Tuyên giáo và Dân vận {of}"


def recipient_lines(recipients: Sequence[str], body: IssuingBody) -> list[str]:
    """One "- …," line per recipient, then "- Lưu Văn phòng Tỉnh ủy." (the issuer's archive)."""
    return [f"- {name}," for name in recipients] + [f"- Lưu {body.archive}."]


def upward_recipients(body: IssuingBody, on: datetime.date) -> list[str]:
    """Who receives a report or a plan: the level above (the centre, for the province), the
    issuer's standing members, the organisations below."""
    if not body.superior_committee:
        return [
            propaganda_board("Trung ương", on),
            f"Thường trực {body.committee}",
            "Các đảng bộ trực thuộc",
        ]
    return [
        f"Ban Thường vụ {body.superior_committee}",
        propaganda_board(body.superior_committee, on),
        f"Thường trực {body.committee}",
        "Các tổ chức đảng trực thuộc",
    ]


# ---------------------------------------------------------------------------------------------
# The renderer.


@dataclass(frozen=True)
class Span:
    """A piece of a table cell's text with its own emphasis; "\n" in it breaks the line."""

    text: str
    bold: bool = False
    italic: bool = False


CellText = str | Sequence[Span]


@dataclass(frozen=True)
class Signature:
    """Authority, position and name of the signer (the seal goes in the blank lines)."""

    authority: str = "T/M BAN THƯỜNG VỤ"
    position: str = "BÍ THƯ"
    name: str = ""


def _set_fonts(rpr: BaseOxmlElement, style: PartyStyle) -> None:
    """Times New Roman for every script, without the theme fonts that would override it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), style.font_name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), style.language)


def _no_spacing(paragraph: Paragraph) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0


def _set_widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths, in the grid (LibreOffice reads it) and in every cell (Word does)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _keep_row_together(table: Table) -> None:
    """A row that moves to the next page whole rather than breaking across two."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


class PartyDocument:
    """A Party document being written: header blocks and title on creation, then the body."""

    def __init__(
        self,
        *,
        body: IssuingBody,
        number: str,
        place_date: str,
        document_type: str,
        summary: str,
        note: str = "",
        style: PartyStyle = PARTY_STYLE,
    ) -> None:
        self.style = style
        self.document = Document()
        self._set_up_page()
        self._set_up_styles()
        self._header_blocks(body, number, place_date)
        self._title(document_type, summary, note)

    # -- page and styles ----------------------------------------------------------------------

    def _set_up_page(self) -> None:
        s = self.style
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE if s.landscape else WD_ORIENT.PORTRAIT
        section.page_width = Mm(s.page_width_mm)
        section.page_height = Mm(s.page_height_mm)
        section.top_margin = Mm(s.margin_top_mm)
        section.bottom_margin = Mm(s.margin_bottom_mm)
        section.left_margin = Mm(s.margin_left_mm)
        section.right_margin = Mm(s.margin_right_mm)
        section.header_distance = Mm(s.header_distance_mm)
        section.footer_distance = Mm(s.footer_distance_mm)
        # Page numbers from page 2: the first page has its own, empty header.
        section.different_first_page_header_footer = True
        section.first_page_header.is_linked_to_previous = False
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_spacing(paragraph)
        self._page_field(paragraph)

    def _page_field(self, paragraph: Paragraph) -> None:
        """A PAGE field: Word and LibreOffice put the current page number there."""

        def field_char(kind: str) -> BaseOxmlElement:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            return element

        begin = paragraph.add_run()
        begin._r.append(field_char("begin"))
        instruction = paragraph.add_run()
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = " PAGE "
        instruction._r.append(instr)
        paragraph.add_run()._r.append(field_char("separate"))
        paragraph.add_run("2")  # shown until the reader's word processor updates the field
        paragraph.add_run()._r.append(field_char("end"))
        for run in paragraph.runs:
            run.font.size = Pt(self.style.page_number_pt)

    def _set_up_styles(self) -> None:
        s = self.style
        styles = self.document.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
            if rpr is not None:
                _set_fonts(rpr, s)
            spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
            if spacing is not None:
                spacing.set(qn("w:after"), "0")
                spacing.set(qn("w:line"), "240")
        normal = styles["Normal"]
        normal.font.name = s.font_name
        normal.font.size = Pt(s.body_pt)
        _set_fonts(normal.element.get_or_add_rPr(), s)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.line_spacing = 1.0

    # -- header blocks and title --------------------------------------------------------------

    def _borderless_table(self, widths_mm: Sequence[float], rows: int = 1) -> Table:
        table = self.document.add_table(rows=rows, cols=len(widths_mm))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _set_widths(table, widths_mm)
        return table

    def _line(
        self,
        cell: _Cell,
        text: str,
        size: float,
        *,
        first: bool = False,
        bold: bool = False,
        italic: bool = False,
        underline: bool = False,
        align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    ) -> Paragraph:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        paragraph.alignment = align
        _no_spacing(paragraph)
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        run.italic = italic
        if underline:
            run.underline = WD_UNDERLINE.SINGLE
        return paragraph

    def _header_blocks(self, body: IssuingBody, number: str, place_date: str) -> None:
        """Issuing body, "*" and number on the left; the Party title and the date on the right."""
        s = self.style
        table = self._borderless_table([s.header_left_width_mm, s.header_right_width_mm], rows=2)
        left, right = table.rows[0].cells
        self._line(left, body.superior, s.superior_body_pt, first=True)
        self._line(left, body.name, s.issuing_body_pt, bold=True)
        self._line(left, "*", s.issuing_body_pt)
        # The rule beneath the Party title is its underline, as offices type it.
        self._line(right, PARTY_TITLE, s.party_title_pt, first=True, bold=True, underline=True)
        number_cell, date_cell = table.rows[1].cells
        self._line(number_cell, number, s.number_pt, first=True)
        self._line(date_cell, place_date, s.place_date_pt, first=True, italic=True)

    def _title(self, document_type: str, summary: str, note: str) -> None:
        s = self.style
        heading = self.document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_spacing(heading)
        heading.paragraph_format.space_before = Pt(s.space_before_title_pt)
        run = heading.add_run(document_type.upper())
        run.bold = True
        run.font.size = Pt(s.document_type_pt)
        line = self.document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_spacing(line)
        run = line.add_run(summary)
        run.bold = True
        run.font.size = Pt(s.summary_pt)
        if note:
            extra = self.document.add_paragraph()
            extra.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _no_spacing(extra)
            run = extra.add_run(note)
            run.italic = True
            run.font.size = Pt(s.summary_pt)
        dash = self.document.add_paragraph()
        dash.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_spacing(dash)
        dash.paragraph_format.space_after = Pt(s.space_before_title_pt)
        dash.add_run("-----").font.size = Pt(s.summary_pt)

    # -- body -----------------------------------------------------------------------------------

    def paragraph(
        self, text: str, *, bold: bool = False, italic: bool = False, indent: bool = True
    ) -> Paragraph:
        """A justified body paragraph with the first line indented."""
        s = self.style
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = Mm(s.first_line_indent_mm) if indent else Mm(0)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(s.paragraph_space_after_pt)
        fmt.line_spacing = s.line_spacing
        run = paragraph.add_run(text)
        run.font.size = Pt(s.body_pt)
        run.bold = bold
        run.italic = italic
        return paragraph

    def heading(self, text: str) -> Paragraph:
        """A section heading of the body ("I. KẾT QUẢ CHUNG"), bold, kept with what follows."""
        paragraph = self.paragraph(text, bold=True)
        # Justifying a short capitalised line would stretch its spaces.
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def _spans(self, cell: _Cell, spans: Sequence[Span], align: WD_ALIGN_PARAGRAPH) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.alignment = align
        _no_spacing(paragraph)
        for span in spans:
            run = paragraph.add_run(span.text)  # python-docx turns "\n" into a line break
            run.font.size = Pt(self.style.table_pt)
            run.bold = span.bold
            run.italic = span.italic

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[CellText]],
        *,
        widths_mm: Sequence[float] | None = None,
        right_aligned: Sequence[int] = (),
        centred: Sequence[int] = (),
    ) -> Table:
        """A bordered table; the header row is bold and repeats on every page. A cell is a
        string or a sequence of ``Span``s; columns in ``right_aligned`` (figures) are set right,
        those in ``centred`` (a row number) centred, the others left."""
        s = self.style
        widths = list(widths_mm or [s.text_width_mm / len(header)] * len(header))
        table = self.document.add_table(rows=1 + len(rows), cols=len(header))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header_row = table.rows[0]
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header_row._tr.get_or_add_trPr().append(repeat)
        for cell, title in zip(header_row.cells, header, strict=True):
            self._line(cell, title, s.table_pt, first=True, bold=s.table_header_bold)
        for row, values in zip(table.rows[1:], rows, strict=True):
            for index, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
                align = (
                    WD_ALIGN_PARAGRAPH.RIGHT
                    if index in right_aligned
                    else WD_ALIGN_PARAGRAPH.CENTER
                    if index in centred
                    else WD_ALIGN_PARAGRAPH.LEFT
                )
                if isinstance(text, str):
                    self._line(cell, text, s.table_pt, first=True, align=align)
                else:
                    self._spans(cell, text, align)
        _set_widths(table, widths)
        # A little air after the table before the next paragraph.
        self.document.add_paragraph().paragraph_format.space_after = Pt(0)
        return table

    # -- closing --------------------------------------------------------------------------------

    def close(self, *, signature: Signature, recipients: Sequence[str]) -> bytes:
        """Recipients bottom left, the signature block bottom right; the document's bytes.

        ``recipients``: the lines as ``recipient_lines`` makes them; none (a table that travels
        with another document) leaves the left block empty, without "Nơi nhận:".
        """
        s = self.style
        table = self._borderless_table([s.recipients_width_mm, s.signature_width_mm])
        # Recipients and signature stay on one page, beside each other.
        _keep_row_together(table)
        left, right = table.rows[0].cells
        left_align = WD_ALIGN_PARAGRAPH.LEFT
        if recipients:
            self._line(
                left,
                "Nơi nhận:",
                s.recipients_heading_pt,
                first=True,
                underline=True,
                align=left_align,
            )
            for line in recipients:
                self._line(left, line, s.recipients_pt, align=left_align)
        self._line(right, signature.authority.upper(), s.authority_pt, first=True, bold=True)
        self._line(right, signature.position.upper(), s.position_pt, bold=s.position_bold)
        for _ in range(s.signature_blank_lines):
            self._line(right, "", s.signer_pt)
        self._line(right, signature.name, s.signer_pt, bold=True)
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


# The register keeps recipients on one line (its text is normalised: newlines become spaces), so
# a recipient starts at the text's start, a line's start, or after "," or ";", with "- ".
_RECIPIENT = re.compile(r"(?:^|[\n,;])\s*[-–]\s+")


def recipient_names(text: str) -> list[str]:
    """The recipients typed at issue ("Nơi nhận"), as the register keeps them: "- A, - B",
    else one per ";" or line; each once, in order; the archive line ("Lưu …") left out — a
    document ends with its own."""
    text = text.strip()
    if not text:
        return []
    parts = _RECIPIENT.split(text) if _RECIPIENT.search(text) else re.split(r"[;\n]", text)
    names = [part.strip().strip("-–").strip().rstrip(",;.") for part in parts]
    return [name for name in dict.fromkeys(names) if name and not fold(name).startswith("luu ")]
