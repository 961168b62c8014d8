"""The import page /co-cau/<id>/nhap/ and its templates: the province office only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import Personas, Units
from tests.org.test_import import GOOD_ROWS, counts, csv_bytes
from tinhuy.audit.models import AuditEvent
from tinhuy.org.models import Unit

ClientFor = Callable[[AbstractBaseUser | AnonymousUser], Client]


def import_url(units: Units) -> str:
    return reverse("structure_import", args=[units.structure_2020.id])


def template_url(units: Units, file_format: str = "xlsx") -> str:
    url = reverse("structure_import_template", args=[units.structure_2020.id])
    return f"{url}?format={file_format}"


def upload(content: bytes, name: str = "vinh.csv") -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, content)}


# Who may use it -----------------------------------------------------------------------------


def test_the_province_office_sees_the_form_the_levels_and_the_template_links(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    response = client_for(personas.province_office).get(import_url(units))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert template_url(units, "xlsx") in page
    assert template_url(units, "csv") in page
    assert "Mã đơn vị cấp trên" in page
    assert "Cấp cơ sở" in page  # a level of this structure
    assert "grassroots" in page  # an allowed kind


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_province_office_downloads_both_templates(
    units: Units, personas: Personas, client_for: ClientFor, file_format: str
) -> None:
    response = client_for(personas.province_office).get(template_url(units, file_format))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="mau-nhap-nghe-an-2020.{file_format}"'
    )


def test_an_unknown_template_format_is_not_found(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    response = client_for(personas.province_office).get(template_url(units, "pdf"))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["vinh_officer", "board_member", "editor"])
def test_the_page_does_not_exist_for_anyone_else(
    units: Units, personas: Personas, client_for: ClientFor, persona: str
) -> None:
    """The Vinh officer changes only his subtree, the Board member reads only: 404, all of it."""
    client = client_for(getattr(personas, persona))
    before = counts()

    assert client.get(import_url(units)).status_code == 404
    assert client.post(import_url(units), upload(csv_bytes(GOOD_ROWS))).status_code == 404
    assert client.get(template_url(units)).status_code == 404
    assert counts() == before


def test_an_anonymous_citizen_is_sent_to_log_in(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    """``login_required`` redirects before anything else is looked at."""
    client = client_for(personas.citizen)
    before = counts()

    for response in [
        client.get(import_url(units)),
        client.post(import_url(units), upload(csv_bytes(GOOD_ROWS))),
        client.get(template_url(units)),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert counts() == before


def test_a_structure_that_does_not_exist_is_not_found(
    personas: Personas, client_for: ClientFor
) -> None:
    response = client_for(personas.province_office).get(reverse("structure_import", args=[9999]))

    assert response.status_code == 404


def test_the_page_reads_a_bounded_number_of_queries(
    units: Units, personas: Personas, client_for: ClientFor, django_assert_max_num_queries
) -> None:
    client = client_for(personas.province_office)

    # Session, user, scope, structure, levels.
    with django_assert_max_num_queries(5):
        client.get(import_url(units))


# Uploading ----------------------------------------------------------------------------------


def test_a_good_file_is_imported_and_the_structure_page_says_so(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    client = client_for(personas.province_office)

    response = client.post(import_url(units), upload(csv_bytes(GOOD_ROWS)), follow=True)

    assert response.redirect_chain == [
        (reverse("structure_detail", args=[units.structure_2020.id]), 302)
    ]
    assert "Đã nhập 3 đơn vị từ tệp “vinh.csv”." in response.content.decode()
    assert Unit.objects.filter(structure=units.structure_2020, code__startswith="412-CS9").count()
    event = AuditEvent.objects.filter(action="unit.create").first()
    assert event is not None
    assert (event.actor, event.after["source"]) == (personas.province_office, "vinh.csv")


def test_a_file_with_errors_shows_them_in_a_table_and_writes_nothing(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    rows = [GOOD_ROWS[1], ["412-CS92", "Đảng bộ Thử Nghiệm", "co-so", "429-XX", "Xã"]]
    before = counts()

    response = client_for(personas.province_office).post(import_url(units), upload(csv_bytes(rows)))

    assert response.status_code == 400
    assert counts() == before
    page = response.content.decode()
    assert 'id="import-errors"' in page
    assert "<td>3</td><td>Mã đơn vị cấp trên</td>" in page
    assert "không có đơn vị mã “429-XX” trong tệp hay trong cơ cấu." in page


def test_a_post_without_a_file_asks_for_one(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    before = counts()

    response = client_for(personas.province_office).post(import_url(units), {})

    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert counts() == before


@override_settings(TINHUY_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused_by_the_form(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    before = counts()

    response = client_for(personas.province_office).post(
        import_url(units), upload(csv_bytes(GOOD_ROWS))
    )

    assert response.status_code == 413
    assert "Tệp quá lớn" in response.content.decode()
    assert counts() == before


def test_random_bytes_named_xlsx_get_a_message_not_a_server_error(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    response = client_for(personas.province_office).post(
        import_url(units), upload(bytes(range(256)) * 8, "don-vi.xlsx")
    )

    assert response.status_code == 400
    assert "không phải bảng tính .xlsx hay tệp CSV" in response.content.decode()


# The templates round-trip -------------------------------------------------------------------


def test_the_xlsx_template_filled_in_is_imported(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    """Download the template, replace the example row with a real unit, upload it."""
    client = client_for(personas.province_office)
    workbook = load_workbook(io.BytesIO(client.get(template_url(units)).content))
    sheet = workbook["Đơn vị"]
    sheet["A2"], sheet["B2"], sheet["D2"] = "412-CS91", "Đảng bộ phường Thử Nghiệm", "412"
    sheet["C2"], sheet["E2"] = "Cấp cơ sở", "Phường"
    filled = io.BytesIO()
    workbook.save(filled)

    response = client.post(import_url(units), upload(filled.getvalue(), "mau.xlsx"))

    assert response.status_code == 302
    unit = Unit.objects.get(structure=units.structure_2020, code="412-CS91")
    assert (unit.parent, unit.level.code, unit.kind) == (units.vinh, "co-so", "ward")


def test_the_csv_template_filled_in_is_imported(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    """The example row keeps its level, parent and kind; only its code and name are replaced."""
    client = client_for(personas.province_office)
    text = client.get(template_url(units, "csv")).content.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text)))
    example[:2] = ["40-TN01", "Đảng bộ huyện Thử Nghiệm"]
    out = io.StringIO()
    csv.writer(out).writerows([header, example])

    response = client.post(import_url(units), upload(out.getvalue().encode(), "mau.csv"))

    assert response.status_code == 302
    unit = Unit.objects.get(structure=units.structure_2020, code="40-TN01")
    assert unit.parent == units.province_2020


def test_a_zip_bomb_is_refused_with_400_and_a_vietnamese_message(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    """780 KB holding a million rows passed the upload limit and held a worker for 30 s."""
    from tests.documents.test_tables import bomb

    before = counts()
    response = client_for(personas.province_office).post(
        import_url(units), upload(bomb(1_000_000, dimension=False), "don-vi.xlsx")
    )

    assert response.status_code == 400
    assert "giải nén" in response.content.decode()
    assert counts() == before


def test_a_million_bad_rows_show_a_hundred_errors_and_count_the_rest(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    rows = [[f"412-X{n}", "", "co-so", "412", "Xã"] for n in range(1_050)]
    response = client_for(personas.province_office).post(import_url(units), upload(csv_bytes(rows)))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Tệp có 1.050 lỗi" in page  # Vietnamese thousands, as in the line below
    assert page.count("chưa có tên đơn vị.") == 100
    assert "… và 950 lỗi khác" in page


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_template_uploaded_as_downloaded_writes_nothing(
    units: Units, personas: Personas, client_for: ClientFor, file_format: str
) -> None:
    """Its example row ("Đảng bộ xã Ví Dụ") was imported into the real structure."""
    client = client_for(personas.province_office)
    template = client.get(template_url(units, file_format)).content
    before = counts()

    response = client.post(import_url(units), upload(template, f"mau.{file_format}"))

    assert response.status_code == 400
    assert "dòng ví dụ của tệp mẫu" in response.content.decode()
    assert counts() == before
