"""The layout of exported Party documents, in one place (Hướng dẫn 36-HD/VPTW).

``tinhuy.documents.docx`` fills in the content and reads every size, margin and font from here,
so an office that prints with other margins or sizes changes one value below and nothing else.
The values follow ``PARTY-DOCUMENTS.md``: A4 portrait, Times New Roman, margins 25/25/35/15 mm
(top, bottom, left, right), body text 14 pt justified, page numbers from page 2, top centre.
A wide table (the disposition table of a draft) is printed on A4 landscape:
``PARTY_STYLE_LANDSCAPE``, the same values with the page turned and the blocks widened.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartyStyle:
    """Layout values of a Party document; lengths in millimetres, font sizes in points."""

    # Page: A4 portrait.
    page_width_mm: float = 210
    page_height_mm: float = 297
    margin_top_mm: float = 25
    margin_bottom_mm: float = 25
    margin_left_mm: float = 35
    margin_right_mm: float = 15
    # The page number sits in the header, this far from the top edge (inside the top margin).
    header_distance_mm: float = 12
    footer_distance_mm: float = 12

    # Unicode Times New Roman (TCVN 6909:2001), black.
    font_name: str = "Times New Roman"
    language: str = "vi-VN"

    # Header blocks: issuing body on the left, "ĐẢNG CỘNG SẢN VIỆT NAM" on the right.
    header_left_width_mm: float = 72
    header_right_width_mm: float = 88
    party_title_pt: float = 15  # ĐẢNG CỘNG SẢN VIỆT NAM: capitals, bold, a rule beneath
    superior_body_pt: float = 14  # ĐẢNG BỘ TỈNH NGHỆ AN
    issuing_body_pt: float = 14  # TỈNH ỦY: bold capitals
    number_pt: float = 14  # Số 15-KH/TU
    place_date_pt: float = 14  # italic

    # Document type and summary, centred.
    document_type_pt: float = 16  # KẾ HOẠCH, BÁO CÁO: bold capitals
    summary_pt: float = 14  # bold
    space_before_title_pt: float = 12

    # Body.
    body_pt: float = 14
    heading_pt: float = 14  # "I. KẾT QUẢ CHUNG": bold
    first_line_indent_mm: float = 10
    line_spacing: float = 1.1  # a multiple of the single line
    paragraph_space_after_pt: float = 6

    # Tables in the body: a smaller size so a table of several columns fits the page width.
    table_pt: float = 12
    table_header_bold: bool = True

    # Signature block (bottom right) and recipients (bottom left), side by side.
    recipients_width_mm: float = 75
    signature_width_mm: float = 85
    authority_pt: float = 14  # T/M BAN THƯỜNG VỤ: bold capitals
    position_pt: float = 14  # BÍ THƯ: capitals
    position_bold: bool = True
    signer_pt: float = 14  # the signer's name: bold
    signature_blank_lines: int = 4  # room for the signature and the seal
    recipients_heading_pt: float = 14  # "Nơi nhận:" underlined
    recipients_pt: float = 12

    # Page numbers from page 2, top centre.
    page_number_pt: float = 14

    @property
    def text_width_mm(self) -> float:
        return self.page_width_mm - self.margin_left_mm - self.margin_right_mm

    @property
    def landscape(self) -> bool:
        """Whether the page is wider than it is tall (the renderer turns the page then)."""
        return self.page_width_mm > self.page_height_mm


PARTY_STYLE = PartyStyle()

# A4 landscape, for documents that are mostly a wide table: the header blocks and the closing
# blocks spread over the 247 mm of text width, the issuing body's block on the left edge and the
# Party title's on the right.
PARTY_STYLE_LANDSCAPE = PartyStyle(
    page_width_mm=297,
    page_height_mm=210,
    header_left_width_mm=100,
    header_right_width_mm=147,
    recipients_width_mm=137,
    signature_width_mm=110,
)
