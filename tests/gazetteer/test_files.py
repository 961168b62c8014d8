"""The gazetteer as a folder of files: ``tinhuy gazetteer import`` / ``export``.

``fixtures/dien-chau`` is a folder as someone else writes it: a file name with marks and spaces,
a byte-order mark and Windows line ends, kinds and headers in Vietnamese, semicolons, numbers the
Vietnamese way, a place named by its full name. It imports as it is, and after an edition is
published the public finds it through search and the figure look-up.

Every bad folder is refused whole: the errors name the file, the line or row and the field, in
Vietnamese, and nothing is written (no entry, figure, chapter, indicator or audit event).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tinhuy.audit.models import AuditEvent
from tinhuy.gazetteer.actions import do_publish_edition
from tinhuy.gazetteer.imports.folder import export_folder, export_value, import_folder, read_folder
from tinhuy.gazetteer.lookup import lookup
from tinhuy.gazetteer.models import (
    Chapter,
    EditionObservation,
    Entry,
    EntryState,
    Indicator,
    Observation,
    Place,
)
from tinhuy.search.backends import search

from .conftest import clear_gazetteer

FIXTURE = Path(__file__).parent / "fixtures" / "dien-chau"


def counts() -> dict[str, int]:
    return {
        "entries": Entry.objects.count(),
        "observations": Observation.objects.count(),
        "chapters": Chapter.objects.count(),
        "indicators": Indicator.objects.count(),
        "events": AuditEvent.objects.count(),
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the fixture folder, for a test to spoil."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "dien-chau"))


# The folder written by someone else ----------------------------------------------------------


def test_the_folder_written_by_someone_else_imports_and_is_found_after_publishing(
    personas,
) -> None:
    """Import with --publish, publish an edition: search finds the entry (with or without
    marks), the edition froze the figure, and the look-up answers with it. The import runs as
    ``tinhuy gazetteer import --publish`` runs it, as the system (acting_user=None): a named
    editor would be approving their own text, which the two-person rule refuses."""
    result = import_folder(FIXTURE, acting_user=None, publish=True)
    assert result.errors == []
    assert (result.entries_created, result.entries_published) == (2, 2)
    assert (result.chapters_created, result.indicators_saved) == (2, 1)
    assert (result.observations_added, result.observations_revised) == (2, 0)

    entry = Entry.objects.get(slug="den-cuong")  # from the file name "Đền Cuông.md"
    assert entry.title == "Đền Cuông" and entry.kind == "place"
    assert entry.state == EntryState.PUBLISHED
    assert entry.chapter.path == "van-hoa-dien-chau/di-tich"
    assert entry.chapter.title == "Di tích" and entry.chapter.parent.title == "Văn hóa Diễn Châu"
    assert [p.code for p in entry.places.all()] == ["425"]  # "Huyện Diễn Châu", not the commune
    assert "\r" not in entry.body and entry.body.startswith("Đền Cuông ở chân núi Mộ Dạ")
    source = entry.sources.get()
    assert (source.year, source.pages, source.author) == (
        "2019",
        "3-5",
        "Ban quản lý di tích huyện Diễn Châu",
    )

    do_publish_edition(2026, title="Ấn bản 2026", acting_user=personas.editor)
    for query in ("đền cuông", "den cuong", "DEN CUONG", "Mộ Dạ"):
        hits, _total = search(query)
        assert hits and hits[0].key == "entry:den-cuong", query
        assert hits[0].url == "/dia-chi/2026/muc/den-cuong/"
    frozen = EditionObservation.objects.get(
        edition__year=2026, indicator__code="dien-tich-lua", place__code="425", year=2023
    )
    assert frozen.value == Decimal("1234.5") and frozen.is_sample and frozen.note == "ước tính"
    answer = lookup("diện tích gieo trồng lúa Diễn Châu 2023").answer
    assert answer is not None
    assert (answer.value, answer.place_code, answer.edition_year) == (
        Decimal("1234.5"),
        "425",
        2026,
    )


def test_imported_entries_are_drafts_unless_published(personas) -> None:
    """Without --publish the entries wait for review: no edition would show them."""
    result = import_folder(FIXTURE, acting_user=personas.editor)
    assert result.errors == [] and result.entries_published == 0
    states = Entry.objects.filter(slug__in=["den-cuong", "dien-chau-tong-quan"]).values_list(
        "state", flat=True
    )
    assert set(states) == {EntryState.DRAFT}


def test_importing_the_same_folder_twice_changes_nothing(personas) -> None:
    """The second import finds every entry, chapter, indicator and figure as the file says."""
    import_folder(FIXTURE, acting_user=None, publish=True)  # as the command does
    before = counts()
    result = import_folder(FIXTURE, acting_user=None, publish=True)
    assert result.errors == []
    assert (result.entries_created, result.entries_changed, result.entries_unchanged) == (0, 0, 2)
    assert result.entries_published == 0 and result.chapters_created == 0
    assert (result.observations_added, result.observations_revised) == (0, 0)
    assert counts() == before


def test_a_dry_run_counts_exactly_and_writes_nothing(personas) -> None:
    before = counts()
    result = import_folder(FIXTURE, acting_user=personas.editor, dry_run=True)
    assert result.errors == []
    assert (result.entries_created, result.observations_added) == (2, 2)
    assert counts() == before


# Bad folders ----------------------------------------------------------------------------------


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


DEN_CUONG = Path("entries") / "Đền Cuông.md"
TONG_QUAN = Path("entries") / "tong-quan.md"


def unknown_place(root: Path) -> None:
    edit(root / DEN_CUONG, "places: [Huyện Diễn Châu]", "places: [Huyện Diễn Châu, Xã Không Có]")


def ambiguous_place(root: Path) -> None:
    edit(root / DEN_CUONG, "places: [Huyện Diễn Châu]", "places: [Diễn Châu]")


def unknown_kind(root: Path) -> None:
    edit(root / DEN_CUONG, "kind: Địa danh", "kind: đền")


def unknown_chapter(root: Path) -> None:
    edit(root / TONG_QUAN, "chapter: van-hoa-dien-chau", "chapter: van-hoa-dien-chua")


def duplicate_slug(root: Path) -> None:
    edit(root / TONG_QUAN, "slug: dien-chau-tong-quan", "slug: den-cuong")


def missing_title(root: Path) -> None:
    edit(root / TONG_QUAN, "title: Huyện Diễn Châu (tổng quan)\n", "")


def bad_yaml(root: Path) -> None:
    edit(root / TONG_QUAN, "kind: place", "kind: [place")


def no_front_matter(root: Path) -> None:
    (root / TONG_QUAN).write_text("Diễn Châu là huyện ven biển.\n", encoding="utf-8")


def not_a_number(root: Path) -> None:
    edit(root / "observations.csv", ";1200;", ";một nghìn hai trăm;")


def year_too_large(root: Path) -> None:
    edit(root / "observations.csv", ";2022;", ";20199;")


def duplicate_figure(root: Path) -> None:
    edit(root / "observations.csv", "425;2022;", "425;2023;")


def unknown_indicator(root: Path) -> None:
    edit(root / "observations.csv", "dien-tich-lua;425", "dien-tich-ngo;425")


def indicator_without_unit(root: Path) -> None:
    edit(root / "indicators.csv", ";ha;", ";;")


CASES = [
    (unknown_place, "entries/Đền Cuông.md, dòng 5, trường “places”", "Xã Không Có"),
    (ambiguous_place, "entries/Đền Cuông.md, dòng 5, trường “places”", "nhiều địa danh"),
    (unknown_kind, "entries/Đền Cuông.md, dòng 3, trường “kind”", "không có loại “đền”"),
    (unknown_chapter, "entries/tong-quan.md, dòng 5, trường “chapter”", "van-hoa-dien-chua"),
    (duplicate_slug, "entries/Đền Cuông.md, trường “slug”", "đã dùng cho tệp entries/tong-quan.md"),
    (missing_title, "entries/tong-quan.md, trường “title”", "bắt buộc"),
    (bad_yaml, "entries/tong-quan.md, dòng 5", "YAML sai cú pháp"),
    (no_front_matter, "entries/tong-quan.md, dòng 1", "thiếu phần đầu YAML"),
    (not_a_number, "observations.csv, dòng 3, cột “Giá trị”", "không phải là số"),
    (year_too_large, "observations.csv, dòng 3, cột “Năm”", "“20199” không hợp lệ"),
    (duplicate_figure, "observations.csv, dòng 3, cột “Năm”", "trùng với dòng 2"),
    (unknown_indicator, "observations.csv, dòng 3, cột “Mã chỉ tiêu”", "dien-tich-ngo"),
    (indicator_without_unit, "indicators.csv, dòng 2, cột “Đơn vị tính”", "chưa có đơn vị tính"),
]


@pytest.mark.parametrize(("spoil", "where", "what"), CASES, ids=[c[0].__name__ for c in CASES])
def test_a_bad_folder_names_file_line_and_field_and_writes_nothing(
    personas, folder: Path, spoil: Callable[[Path], None], where: str, what: str
) -> None:
    """One mistake anywhere: a Vietnamese message saying where and what, and no write at all."""
    spoil(folder)
    before = counts()
    result = import_folder(folder, acting_user=personas.editor, publish=True)
    messages = [e.message for e in result.errors]
    assert any(m.startswith(where) and what in m for m in messages), messages
    assert counts() == before


def test_every_mistake_of_every_file_is_reported_at_once(personas, folder: Path) -> None:
    """Import checks everything before it stops: one run lists the errors of all files."""
    unknown_place(folder)
    unknown_kind(folder)
    not_a_number(folder)
    year_too_large(folder)
    result = import_folder(folder, acting_user=personas.editor)
    assert {e.file for e in result.errors} == {"entries/Đền Cuông.md", "observations.csv"}
    assert {e.column for e in result.errors} >= {"places", "kind", "Giá trị", "Năm"}


@override_settings(TINHUY_IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(personas, folder: Path) -> None:
    (folder / "observations.csv").write_text("x" * 1001, encoding="utf-8")
    before = counts()
    result = import_folder(folder, acting_user=personas.editor)
    assert [e.file for e in result.errors] == ["observations.csv"]
    assert "Tệp quá lớn" in result.errors[0].message
    assert counts() == before


def test_a_folder_with_nothing_to_import_says_what_it_needs(personas, tmp_path: Path) -> None:
    result = import_folder(tmp_path, acting_user=personas.editor)
    assert "không có gì để nhập" in result.errors[0].message
    missing = import_folder(tmp_path / "khong-co", acting_user=personas.editor)
    assert missing.errors[0].message.startswith("Không có thư mục")


# Export → import ----------------------------------------------------------------------------


def snapshot() -> dict[str, object]:
    """Everything the folder format carries, by natural keys (not ids)."""
    entries = {
        e.slug: (
            e.title,
            e.kind,
            e.chapter.path,
            e.period,
            e.body,
            sorted(p.code for p in e.places.all()),
            [(s.title, s.author, s.year, s.publisher, s.url, s.pages) for s in e.sources.all()],
        )
        for e in Entry.objects.select_related("chapter").prefetch_related("places", "sources")
    }
    figures = {
        (o.indicator.code, o.place.code, o.year): (o.value, o.source, o.note, o.is_sample)
        for o in Observation.objects.select_related("indicator", "place")
    }
    chapters = {c.path: (c.title, c.order) for c in Chapter.objects.all()}
    indicators = {i.code: (i.name, i.unit, i.definition) for i in Indicator.objects.all()}
    return {"entries": entries, "figures": figures, "chapters": chapters, "indicators": indicators}


def test_export_then_import_into_an_empty_gazetteer_round_trips(personas, tmp_path: Path) -> None:
    """The demo and the fixture folder, exported, cleared, imported back: the same entries,
    sources, chapters, indicators and figures; exported again, the same bytes."""
    import_folder(FIXTURE, acting_user=personas.editor)
    Observation.objects.filter(year=2023, place__code="425").update(value=Decimal("1.234"))
    before = snapshot()
    assert len(before["entries"]) >= 20 and len(before["figures"]) >= 30  # type: ignore[arg-type]
    first = tmp_path / "first"
    exported = export_folder(first)
    assert exported.entries == len(before["entries"])  # type: ignore[arg-type]

    clear_gazetteer()
    assert Entry.objects.count() == 0 and Observation.objects.count() == 0
    result = import_folder(first, acting_user=personas.editor)
    assert result.errors == []
    assert snapshot() == before

    second = tmp_path / "second"
    export_folder(second)
    for path in sorted(first.rglob("*")):
        if path.is_file():
            assert (second / path.relative_to(first)).read_bytes() == path.read_bytes(), path


def test_an_exported_entry_file_reads_like_the_format(db: None, tmp_path: Path) -> None:
    """Codes stay text in YAML, empty fields are left out, the body follows the front matter."""
    export_folder(tmp_path)
    text = (tmp_path / "entries" / "thanh-pho-vinh.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Thành phố Vinh\nslug: thanh-pho-vinh\nkind: place\n")
    assert "chapter: hanh-chinh\nplaces:\n- '412'\n" in text
    assert "\n---\n\nVinh là đô thị trung tâm" in text
    assert (tmp_path / "chapters.csv").read_text(encoding="utf-8").startswith("path,title,order\n")
    folder, errors = read_folder(tmp_path)
    assert errors == [] and len(folder.entries) == Entry.objects.count()


@pytest.mark.parametrize(
    ("value", "text"),
    [("1234.5", "1234.5"), ("1.234", "1.2340"), ("0.125", "0.125"), ("16486", "16486")],
)
def test_exported_values_read_back_as_the_same_number(value: str, text: str) -> None:
    """A value like 1.234 would be refused on import as ambiguous; a fourth decimal makes it
    plain."""
    assert export_value(Decimal(value)) == text


# The command ---------------------------------------------------------------------------------


def test_the_command_imports_checks_and_publishes(personas, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("gazetteer", "import", str(FIXTURE), "--dry-run", stdout=out)
    assert "Thư mục hợp lệ: sẽ nhập 2 mục từ mới" in out.getvalue()
    assert not Entry.objects.filter(slug="den-cuong").exists()

    call_command("gazetteer", "import", str(FIXTURE), "--publish", stdout=out)
    assert Entry.objects.get(slug="den-cuong").state == EntryState.PUBLISHED
    call_command("gazetteer", "publish", "2026", "--title", "Ấn bản 2026", stdout=out)
    assert "Đã công bố “Ấn bản 2026”" in out.getvalue()
    with pytest.raises(CommandError, match="Đã có ấn bản năm 2026"):
        call_command("gazetteer", "publish", "2026", "--title", "Lần nữa", stdout=out)


def test_the_command_prints_every_error_and_fails(personas, folder: Path) -> None:
    unknown_place(folder)
    not_a_number(folder)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 lỗi; chưa ghi gì"):
        call_command("gazetteer", "import", str(folder), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("entries/Đền Cuông.md, dòng 5, trường “places”")
    assert lines[1].startswith("observations.csv, dòng 3, cột “Giá trị”")


def test_the_command_exports_only_into_an_empty_folder_unless_forced(
    db: None, tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command("gazetteer", "export", str(tmp_path / "dia-chi"), stdout=out)
    assert "mục từ" in out.getvalue()
    stale = tmp_path / "dia-chi" / "entries" / "da-xoa.md"
    stale.write_text("---\ntitle: Đã xóa\n---\nx\n", encoding="utf-8")
    with pytest.raises(CommandError, match="đã có tệp"):
        call_command("gazetteer", "export", str(tmp_path / "dia-chi"), stdout=out)
    call_command("gazetteer", "export", str(tmp_path / "dia-chi"), "--force", stdout=out)
    assert not stale.exists()


def test_the_command_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        call_command("gazetteer", "--help")
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "import" in text and "export" in text and "publish" in text


# Hostile folders and hostile text ------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    ["entries/ngoai.md", "observations.csv", "entries"],
    ids=["entry-file", "csv-file", "entries-directory"],
)
def test_a_symlink_inside_the_folder_is_refused_naming_it(
    personas, folder: Path, tmp_path: Path, link: str
) -> None:
    """A link (to a file or a directory) would read outside the folder: refused, never
    followed, with its name in the message; nothing written."""
    outside = tmp_path / "ngoai"
    shutil.copytree(folder / "entries", outside / "entries")
    (outside / "secret.md").write_text("---\ntitle: Bí mật\n---\nx\n", encoding="utf-8")
    (outside / "observations.csv").write_bytes((folder / "observations.csv").read_bytes())
    target = folder / link
    if target.is_dir():
        shutil.rmtree(target)
        target.symlink_to(outside / "entries", target_is_directory=True)
    else:
        target.unlink(missing_ok=True)
        target.symlink_to(outside / ("secret.md" if link.endswith(".md") else link))
    before = counts()
    result = import_folder(folder, acting_user=personas.editor, publish=True)
    assert [e.file for e in result.errors] == [link]
    assert result.errors[0].message.startswith(f"{link} là một liên kết tượng trưng (symlink)")
    assert counts() == before


@pytest.mark.parametrize(
    ("file", "content"),
    [
        ("observations.csv", b""),
        ("observations.csv", b"indicator_code;place;year;value\n"),
        ("indicators.csv", b"\xff\xfe\x00\xd8"),  # UTF-16, damaged
        ("chapters.csv", b"PK\x03\x04 not a zip"),
        ("indicators.csv", "mã;màu\nx;đỏ\n".encode()),
    ],
)
def test_a_whole_file_error_names_the_file_and_never_a_row_none(
    personas, folder: Path, file: str, content: bytes
) -> None:
    """An error about a whole file (or its header) says which file: never "dòng None"."""
    (folder / file).write_bytes(content)
    result = import_folder(folder, acting_user=personas.editor)
    assert result.errors
    for error in result.errors:
        assert "None" not in error.message, error.message
        assert error.message.startswith(error.file), error.message


def test_export_neutralises_formulas_and_import_reads_them_back(personas, tmp_path: Path) -> None:
    """`tinhuy gazetteer export`: a chapter title, an indicator name or definition, a source
    or a note typed as "=HYPERLINK(…)" opens as text in Excel; imported back, it is unchanged."""
    from tinhuy.gazetteer.actions import (
        ObservationSpec,
        do_save_chapter,
        do_save_indicator,
        do_save_observations,
    )

    formula = '=HYPERLINK("http://example.com","x")'
    do_save_chapter("cong-thuc", formula, parent=None, acting_user=personas.editor)
    do_save_indicator("cong-thuc", formula, "@ha", "+1+1", acting_user=personas.editor)
    indicator = Indicator.objects.get(code="cong-thuc")
    vinh = Place.objects.get(code="412")
    do_save_observations(
        [ObservationSpec(indicator, vinh, 2019, Decimal("-7"), source=formula, note="-x")],
        acting_user=personas.editor,
    )
    export_folder(tmp_path)
    chapters = (tmp_path / "chapters.csv").read_text(encoding="utf-8")
    indicators = (tmp_path / "indicators.csv").read_text(encoding="utf-8")
    observations = (tmp_path / "observations.csv").read_text(encoding="utf-8")
    assert "cong-thuc,\"'=HYPERLINK(" in chapters
    assert "cong-thuc,\"'=HYPERLINK(" in indicators and ",'@ha,'+1+1" in indicators
    assert ",-7,\"'=HYPERLINK(" in observations and ",'-x," in observations

    result = import_folder(tmp_path, acting_user=personas.editor)
    assert result.errors == []
    assert (result.indicators_saved, result.observations_revised) == (0, 0)
    assert Chapter.objects.get(path="cong-thuc").title == formula
