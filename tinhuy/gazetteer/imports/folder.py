"""The gazetteer as a folder of files: ``tinhuy gazetteer import DIR`` and ``export DIR``.

The folder::

    entries/<slug>.md    one entry a file: YAML front matter between two "---" lines, then the
                         Markdown body. Fields: title (required), slug (default: from the file
                         name), kind (place, person, event, institution, topic, or their
                         Vietnamese names), chapter (a path of chapter slugs, "dia-ly/song-ngoi"),
                         places (names or codes: "Nghi Lộc", "Huyện Nghi Lộc", "429"), period,
                         sources (a list of {title, author, year, publisher, url, pages}).
    chapters.csv         optional: path, title, order. When present it declares every chapter
                         the folder may create, so a mistyped chapter path is an error; without
                         it, a missing chapter is created with its slug humanised as title.
    indicators.csv       code, name, unit, definition.
    observations.csv     indicator_code, place, year, value, source, note, is_sample: the
                         figures import's columns and rules (``tinhuy.gazetteer.imports.figures``).

The CSV files are read by ``tinhuy.documents.tables`` (size limit, encodings, header matching),
as every import reads its tables. A symbolic link anywhere in the folder (a file or a directory)
is refused, never followed: the folder is read as given, never anything outside it.

Import is all or nothing: every file and every row is checked, and only a folder without a
single error is written, in one transaction, through the actions (``do_save_entry``,
``do_set_entry_state``, ``do_save_observations``, ``do_save_chapter``, ``do_save_indicator``).
The figures are checked by the figures import's own ``validate``, which looks indicators up in
the database: so inside that transaction the folder's indicators are saved first, its figures
checked, and the whole transaction rolled back if anything at all is wrong. Each error is a
``RowError`` naming its ``file``; its message says the file, the line or row, and the field.

An entry whose text, metadata and sources equal the working copy is left alone (no new
revision): importing the same folder twice changes nothing. Entries are imported as drafts;
with ``publish`` they move draft → reviewed → published, ready for the next edition.

Export writes the same format from the working copies, so export → import round-trips; its CSV
cells are neutralised (``tinhuy.documents.csvfile``): a title "=HYPERLINK(…)" opens as text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tinhuy.documents.csvfile import table_csv_text
from tinhuy.documents.tables import (
    Column,
    Line,
    RowError,
    TableRefused,
    capped,
    cell_text,
    choices_by_key,
    match_header,
    read_lines,
    read_table,
    size_error,
    vietnamese_choices,
)
from tinhuy.gazetteer.actions import (
    EntrySpec,
    ObservationSpec,
    SourceSpec,
    do_save_chapter,
    do_save_entry,
    do_save_indicator,
    do_save_observations,
    do_set_entry_state,
)
from tinhuy.gazetteer.imports import figures
from tinhuy.gazetteer.models import (
    Chapter,
    Entry,
    EntryKind,
    EntryState,
    Indicator,
    Observation,
    Place,
)
from tinhuy.gazetteer.queries import PlaceIndex
from tinhuy.search.text import fold

if TYPE_CHECKING:
    from tinhuy.org.actions import AnyUser
    from tinhuy.progress import ProgressCallback

ENTRIES_DIR = "entries"
CHAPTERS_FILE = "chapters.csv"
INDICATORS_FILE = "indicators.csv"
OBSERVATIONS_FILE = "observations.csv"

ENTRY_FIELDS = ("title", "slug", "kind", "chapter", "places", "period", "sources")
SOURCE_FIELDS = ("title", "author", "year", "publisher", "url", "pages")
# The header export writes, and other names the import accepts (matched folded).
CHAPTER_COLUMNS = [
    Column("path", "path", ("Đường dẫn",)),
    Column("title", "title", ("Tên chương",)),
    Column("order", "order", ("Thứ tự",)),
]
INDICATOR_COLUMNS = [
    Column("code", "code", ("Mã", "Mã chỉ tiêu")),
    Column("name", "name", ("Tên", "Tên chỉ tiêu")),
    Column("unit", "unit", ("Đơn vị tính", "Đơn vị")),
    Column("definition", "definition", ("Định nghĩa",)),
]
OBSERVATION_COLUMNS = figures.TEMPLATE_HEADER

SLUG = re.compile(r"[-a-zA-Z0-9_]+")
MAX_ENTRY_FILES = 20_000
MAX_LIST = 200  # places or sources of one entry, as the API allows
# Model field lengths.
MAX_TITLE, MAX_SLUG, MAX_PERIOD, MAX_PATH = 255, 150, 100, 500
MAX_SOURCE = {"title": 500, "author": 255, "year": 16, "publisher": 255, "url": 500, "pages": 50}
MAX_INDICATOR = {"code": 64, "name": 255, "unit": 64}
MAX_ORDER = 32767


# Errors -------------------------------------------------------------------------------------


def _where(file: str, line: int | None = None, name: str | None = None) -> str:
    if line is None and name is not None:
        return _("%(file)s, trường “%(field)s”") % {"file": file, "field": name}
    if line is not None and name is not None:
        return _("%(file)s, dòng %(line)s, trường “%(field)s”") % {
            "file": file,
            "line": line,
            "field": name,
        }
    if line is not None:
        return _("%(file)s, dòng %(line)s") % {"file": file, "line": line}
    return file


def _error(file: str, line: int | None, name: str | None, detail: str) -> RowError:
    return RowError(line, name, f"{_where(file, line, name)}: {detail}", file)


def in_file(file: str, error: RowError) -> RowError:
    """An error of ``tinhuy.documents.tables`` about one file of the folder, with the file named:
    “Dòng 1, cột “x”: …” becomes “chapters.csv, dòng 1, cột “x”: …”, a whole-file message
    “chapters.csv: …”."""
    message = error.message
    if error.row is not None and message.startswith(_("Dòng")):
        message = f"{file}, {message[:1].lower()}{message[1:]}"
    else:
        message = f"{file}: {message}"
    return RowError(error.row, error.column, message, file)


# What a folder holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryDraft:
    """One entry file, checked on its own; places are resolved, the chapter only parsed."""

    file: str
    chapter_line: int
    slug: str
    title: str
    kind: str
    chapter_path: str
    places: tuple[Place, ...]
    period: str
    sources: tuple[SourceSpec, ...]
    body: str


@dataclass(frozen=True)
class ChapterRow:
    file: str
    row: int
    path: str
    title: str
    order: int


@dataclass(frozen=True)
class IndicatorRow:
    file: str
    row: int
    code: str
    name: str
    unit: str
    definition: str


@dataclass(frozen=True)
class Folder:
    """Everything read from a folder. ``chapters`` is None when there is no chapters.csv."""

    entries: tuple[EntryDraft, ...] = ()
    chapters: dict[str, ChapterRow] | None = None
    indicators: tuple[IndicatorRow, ...] = ()
    observations: tuple[figures.FigureRow, ...] = ()  # each knows its file

    def overlaid(self, other: Folder) -> Folder:
        """This folder with ``other``'s entries (by slug), indicators (by code) and figures
        (by indicator, place and year as written) put in place of its own."""
        entries = {e.slug: e for e in self.entries} | {e.slug: e for e in other.entries}
        indicators = {i.code: i for i in self.indicators} | {i.code: i for i in other.indicators}
        replaced = {_figure_key(row) for row in other.observations}
        kept = tuple(row for row in self.observations if _figure_key(row) not in replaced)
        chapters = self.chapters
        if other.chapters is not None:
            chapters = {**(self.chapters or {}), **other.chapters}
        return Folder(
            entries=tuple(entries.values()),
            chapters=chapters,
            indicators=tuple(indicators.values()),
            observations=kept + other.observations,
        )


def _figure_key(row: figures.FigureRow) -> tuple[str, str, str]:
    return (row.indicator_code.lower(), fold(row.place), row.year)


@dataclass(frozen=True)
class FolderImportResult:
    """What the import wrote (with ``dry_run``: would write); all zero when there are errors."""

    errors: list[RowError] = field(default_factory=list)
    chapters_created: int = 0
    entries_created: int = 0
    entries_changed: int = 0
    entries_unchanged: int = 0
    entries_published: int = 0
    indicators_saved: int = 0
    observations_added: int = 0
    observations_revised: int = 0


# Reading ------------------------------------------------------------------------------------


def read_folder(root: Path, *, places: PlaceIndex | None = None) -> tuple[Folder, list[RowError]]:
    """Read and check every file of the folder on its own (no writes; a few reads of places
    and the stored chapters). Checks that need the other files run in ``write_folder``."""
    if not root.is_dir():
        return Folder(), [RowError(None, None, _("Không có thư mục “%s”.") % root)]
    links = symlinks(root)
    if links:
        return Folder(), links
    errors: list[RowError] = []
    entries_dir = root / ENTRIES_DIR
    entry_files = sorted(entries_dir.glob("*.md")) if entries_dir.is_dir() else []
    csv_files = {name: root / name for name in (CHAPTERS_FILE, INDICATORS_FILE, OBSERVATIONS_FILE)}
    present = {name: path for name, path in csv_files.items() if path.is_file()}
    if not entry_files and not present:
        message = _(
            "Thư mục “%(dir)s” không có gì để nhập: cần thư mục %(entries)s/ với các tệp .md, "
            "hoặc các tệp %(files)s."
        ) % {
            "dir": root,
            "entries": ENTRIES_DIR,
            "files": ", ".join((CHAPTERS_FILE, INDICATORS_FILE, OBSERVATIONS_FILE)),
        }
        return Folder(), [RowError(None, None, message)]
    if len(entry_files) > MAX_ENTRY_FILES:
        message = _("Thư mục %(dir)s có %(n)s tệp; mỗi lần chỉ nhập tối đa %(max)s tệp.") % {
            "dir": ENTRIES_DIR,
            "n": len(entry_files),
            "max": MAX_ENTRY_FILES,
        }
        return Folder(), [RowError(None, None, message)]

    contents: dict[str, bytes] = {}
    for path in [*entry_files, *present.values()]:
        name = path.relative_to(root).as_posix()
        try:
            too_big = size_error(path.stat().st_size)  # before reading it into memory
            if too_big is None:
                contents[name] = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            errors.append(_error(name, None, None, _("không đọc được (%s).") % reason))
            continue
        if too_big is not None:
            errors.append(in_file(name, too_big))

    chapters = None
    if CHAPTERS_FILE in present and CHAPTERS_FILE in contents:
        chapters, found = _read_chapters(contents[CHAPTERS_FILE])
        errors += found
    places = places or PlaceIndex.load()
    drafts: list[EntryDraft] = []
    first_file: dict[str, str] = {}
    for path in entry_files:
        name = path.relative_to(root).as_posix()
        if name not in contents:
            continue
        draft, found = read_entry(name, path.stem, contents[name], places)
        errors += found
        if draft is None:
            continue
        if draft.slug in first_file:
            errors.append(
                _error(
                    name,
                    None,
                    "slug",
                    _("đường dẫn “%(slug)s” đã dùng cho tệp %(other)s.")
                    % {"slug": draft.slug, "other": first_file[draft.slug]},
                )
            )
            continue
        first_file[draft.slug] = name
        drafts.append(draft)
    indicators: list[IndicatorRow] = []
    if INDICATORS_FILE in contents:
        indicators, found = _read_indicators(contents[INDICATORS_FILE])
        errors += found
    observations: list[figures.FigureRow] = []
    if OBSERVATIONS_FILE in contents:
        observations, row_errors = figures.parse_rows(
            contents[OBSERVATIONS_FILE], OBSERVATIONS_FILE, file=OBSERVATIONS_FILE
        )
        errors += [in_file(OBSERVATIONS_FILE, e) for e in row_errors]
    folder = Folder(tuple(drafts), chapters, tuple(indicators), tuple(observations))
    return folder, errors


def symlinks(root: Path) -> list[RowError]:
    """Every symbolic link inside the folder, each an error naming it: a link would let the
    import read a file outside the folder (``entries -> /etc``, ``observations.csv -> ~/x``)."""
    found = []
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(directory)
        for name in sorted([*dirnames, *filenames]):
            path = here / name
            if path.is_symlink():
                relative = path.relative_to(root).as_posix()
                message = _(
                    "%(file)s là một liên kết tượng trưng (symlink); thư mục nhập không được chứa "
                    "liên kết. Hãy chép tệp hoặc thư mục thật vào chỗ của nó rồi nhập lại."
                ) % {"file": relative}
                found.append(RowError(None, None, message, relative))
        dirnames.sort()
    return found


# Entries -----------------------------------------------------------------------------------


def read_entry(
    file: str, stem: str, content: bytes, places: PlaceIndex
) -> tuple[EntryDraft | None, list[RowError]]:
    """One entry file: front matter and body checked, places resolved, or the errors."""
    try:
        text = content.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        detail = _("tệp phải lưu với mã UTF-8; có ký tự không đọc được.")
        return None, [_error(file, line, None, detail)]
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        detail = _(
            "thiếu phần đầu YAML: tệp phải bắt đầu bằng một dòng “---”, rồi các trường (title, "
            "kind, chapter…), rồi một dòng “---”, rồi nội dung Markdown."
        )
        return None, [_error(file, 1, None, detail)]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        detail = _("phần đầu YAML không có dòng “---” kết thúc.")
        return None, [_error(file, 1, None, detail)]
    front = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :]).lstrip("\n").rstrip()
    try:
        node = yaml.compose(front, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1
        detail = _("phần đầu YAML sai cú pháp (%(problem)s).") % {
            "problem": exc.problem or exc.context or "?"
        }
        return None, [_error(file, line, None, detail)]
    except yaml.YAMLError as exc:
        return None, [_error(file, 1, None, _("phần đầu YAML sai cú pháp (%s).") % exc)]
    return _EntryReader(file, places).read(node, stem, body, body_line=end + 2)


# libyaml when installed (ten times faster); both keep the line of every node.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _EntryReader:
    """Checks the front matter's nodes; each error names the line of the value it is about."""

    file: str
    places: PlaceIndex
    errors: list[RowError] = field(default_factory=list)

    def error(self, node: yaml.Node | None, name: str | None, detail: str) -> None:
        line = node.start_mark.line + 2 if node is not None else None
        self.errors.append(_error(self.file, line, name, detail))

    def read(
        self, node: yaml.Node | None, stem: str, body: str, *, body_line: int
    ) -> tuple[EntryDraft | None, list[RowError]]:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, None, _("phần đầu YAML phải là các dòng “trường: giá trị”."))
            return None, self.errors
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            if name not in ENTRY_FIELDS:
                self.error(
                    key,
                    name,
                    _("trường này không được nhận ra. Các trường: %s.") % ", ".join(ENTRY_FIELDS),
                )
            elif name in fields:
                self.error(key, name, _("trường này có hai lần."))
            else:
                fields[name] = (key, value)
        title = self.text(fields, "title", MAX_TITLE, required=True)
        slug = self.slug(fields, stem)
        kind = self.kind(fields)
        chapter = self.chapter(fields)
        places = self.place_list(fields)
        period = self.text(fields, "period", MAX_PERIOD)
        sources = self.sources(fields)
        if not body:
            detail = _("chưa có nội dung (Markdown) dưới phần đầu.")
            self.errors.append(_error(self.file, body_line, None, detail))
        if self.errors or not (title and slug and kind and chapter):
            return None, self.errors
        chapter_line = fields["chapter"][0].start_mark.line + 2
        return EntryDraft(
            self.file, chapter_line, slug, title, kind, chapter, places, period, sources, body
        ), []

    def scalar(self, fields: dict, name: str) -> tuple[yaml.Node | None, str | None]:
        """The field's text as written (never typed: "0412" stays "0412"), or None if absent."""
        if name not in fields:
            return None, None
        key, value = fields[name]
        if not isinstance(value, yaml.ScalarNode):
            self.error(key, name, _("giá trị phải là một dòng chữ, không phải danh sách."))
            return key, None
        text = "" if value.tag == "tag:yaml.org,2002:null" else str(value.value).strip()
        return value, text

    def text(self, fields: dict, name: str, limit: int, *, required: bool = False) -> str:
        node, text = self.scalar(fields, name)
        if required and not text:
            self.error(node, name, _("chưa có “%s” (bắt buộc).") % name)
            return ""
        if text and len(text) > limit:
            self.error(node, name, _("dài quá %s ký tự.") % limit)
        return text or ""

    def slug(self, fields: dict, stem: str) -> str:
        node, text = self.scalar(fields, "slug")
        if text:
            if len(text) > MAX_SLUG or not SLUG.fullmatch(text):
                self.error(
                    node,
                    "slug",
                    _(
                        "đường dẫn “%s” không hợp lệ: chỉ dùng chữ không dấu, chữ số và dấu "
                        "gạch ngang, tối đa 150 ký tự."
                    )
                    % text,
                )
            return text
        slug = slugify(fold(stem))[:MAX_SLUG]
        if not slug:
            self.error(None, "slug", _("tên tệp không cho ra được đường dẫn; hãy ghi “slug”."))
        return slug

    def kind(self, fields: dict) -> str:
        node, text = self.scalar(fields, "kind")
        if not text:
            self.error(node, "kind", _("chưa có “kind” (bắt buộc)."))
            return ""
        found = _kinds().get(fold(text))
        if found is None:
            known = ", ".join(f"{value} ({label})" for value, label in _kind_labels())
            self.error(
                node,
                "kind",
                _("không có loại “%(kind)s”; các loại: %(known)s.")
                % {
                    "kind": text,
                    "known": known,
                },
            )
            return ""
        return found

    def chapter(self, fields: dict) -> str:
        node, text = self.scalar(fields, "chapter")
        path = (text or "").strip("/")
        if not path:
            self.error(node, "chapter", _("chưa có “chapter” (bắt buộc), ví dụ dia-ly/song-ngoi."))
            return ""
        if len(path) > MAX_PATH or not all(SLUG.fullmatch(part) for part in path.split("/")):
            self.error(
                node,
                "chapter",
                _bad_chapter_path(text or ""),
            )
            return ""
        return path

    def items(self, fields: dict, name: str) -> list[yaml.Node]:
        """The items of a list field (a single value counts as a list of one)."""
        if name not in fields:
            return []
        key, value = fields[name]
        if isinstance(value, yaml.ScalarNode):
            empty = value.tag == "tag:yaml.org,2002:null" or not str(value.value).strip()
            return [] if empty else [value]
        if not isinstance(value, yaml.SequenceNode):
            self.error(key, name, _("giá trị phải là một danh sách."))
            return []
        if len(value.value) > MAX_LIST:
            self.error(key, name, _("danh sách dài quá %s mục.") % MAX_LIST)
            return []
        return list(value.value)

    def place_list(self, fields: dict) -> tuple[Place, ...]:
        found: list[Place] = []
        for item in self.items(fields, "places"):
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                self.error(item, "places", _("mỗi địa danh là một tên hoặc một mã."))
                continue
            text = str(item.value).strip()
            matches = self.places.find(text)
            if not matches:
                self.error(
                    item,
                    "places",
                    _("không có địa danh “%s” (theo tên, tên đầy đủ hoặc mã).") % text,
                )
            elif len(matches) > 1:
                choices = "; ".join(f"{p.full_name} ({p.code})" for p in matches)
                self.error(
                    item,
                    "places",
                    _(
                        "“%(place)s” là tên của nhiều địa danh: %(choices)s. Hãy ghi mã hoặc tên "
                        "đầy đủ."
                    )
                    % {"place": text, "choices": choices},
                )
            elif matches[0] not in found:
                found.append(matches[0])
        return tuple(found)

    def sources(self, fields: dict) -> tuple[SourceSpec, ...]:
        specs = []
        for item in self.items(fields, "sources"):
            if not isinstance(item, yaml.MappingNode):
                self.error(
                    item,
                    "sources",
                    _("mỗi nguồn gồm các dòng “title: …”, “author: …”, “year: …”…"),
                )
                continue
            values: dict[str, str] = {}
            for key, value in item.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else ""
                label = f"sources.{name}"
                if name not in SOURCE_FIELDS:
                    self.error(
                        key,
                        label,
                        _("trường này không được nhận ra. Các trường của một nguồn: %s.")
                        % ", ".join(SOURCE_FIELDS),
                    )
                elif name in values:
                    self.error(key, label, _("trường này có hai lần."))
                elif not isinstance(value, yaml.ScalarNode):
                    self.error(key, label, _("giá trị phải là một dòng chữ."))
                else:
                    is_null = value.tag == "tag:yaml.org,2002:null"
                    values[name] = "" if is_null else str(value.value).strip()
                    if len(values[name]) > MAX_SOURCE[name]:
                        self.error(value, label, _("dài quá %s ký tự.") % MAX_SOURCE[name])
            if not values.get("title"):
                self.error(item, "sources.title", _("nguồn chưa có tên tài liệu (title)."))
                continue
            if values.get("url") and not _is_web_address(values["url"]):
                self.error(
                    item,
                    "sources.url",
                    _("địa chỉ “%s” không hợp lệ (cần bắt đầu bằng http:// hoặc https://).")
                    % values["url"],
                )
            specs.append(SourceSpec(**values))
        return tuple(specs)


def _is_web_address(url: str) -> bool:
    """An http(s) address with a host and no spaces: what a citation needs. (Django's
    URLValidator would do, but compiling its patterns costs a third of a second.)"""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", url)


def _bad_chapter_path(text: str) -> str:
    return (
        _(
            "đường dẫn chương “%s” không hợp lệ: các mã chương viết không dấu, cách nhau bởi “/”, "
            "ví dụ dia-ly/song-ngoi."
        )
        % text
    )


def _kind_labels() -> list[tuple[str, str]]:
    return vietnamese_choices(EntryKind.choices)


def _kinds() -> dict[str, str]:
    """A kind by its value ("person") or its Vietnamese name ("Nhân vật"), folded."""
    return {fold(key): value for key, value in choices_by_key(_kind_labels()).items()}


# CSV files ---------------------------------------------------------------------------------


class _CsvFile:
    """A CSV file of the folder read as a table: its lines, and errors at a row and field that
    name the column as the file heads it ("chapters.csv, dòng 3, cột “title”: …")."""

    def __init__(self, file: str, content: bytes, columns: list[Column], required: Sequence[str]):
        self.file = file
        self.lines: list[Line] = []
        self.errors: list[RowError] = []
        self.headers = {column.key: column.header for column in columns}
        try:
            table = read_table(content, file)
        except TableRefused as refused:
            self.errors = [in_file(file, e) for e in refused.errors]
            return
        lines, errors = read_lines(table, columns, required, unknown_is_error=True)
        self.lines, self.errors = lines, [in_file(file, e) for e in errors]
        if lines:  # name each column as the file heads it ("Đơn vị tính", not "unit")
            positions, _errors = match_header(table[0], columns, required)
            self.headers |= {key: cell_text(table[0][i]) for key, i in positions.items()}

    def error(self, row: int, name: str, detail: str) -> RowError:
        column = self.headers.get(name, name)
        message = _("%(file)s, dòng %(row)s, cột “%(column)s”") % {
            "file": self.file,
            "row": row,
            "column": column,
        }
        return RowError(row, column, f"{message}: {detail}", self.file)


def _read_chapters(content: bytes) -> tuple[dict[str, ChapterRow], list[RowError]]:
    file = CHAPTERS_FILE
    table = _CsvFile(file, content, CHAPTER_COLUMNS, ("path", "title"))
    at, errors = table.error, table.errors
    chapters: dict[str, ChapterRow] = {}
    for line in table.lines:
        number, values = line.number, {key: line.text(key) for key in line.cells}
        path = values["path"].strip("/")
        title = values["title"]
        ok = True
        if not path or len(path) > MAX_PATH or not all(map(SLUG.fullmatch, path.split("/"))):
            detail = _bad_chapter_path(values["path"])
            errors.append(at(number, "path", detail))
            ok = False
        elif path in chapters:
            detail = _("chương “%(path)s” đã có ở dòng %(other)s.") % {
                "path": path,
                "other": chapters[path].row,
            }
            errors.append(at(number, "path", detail))
            ok = False
        if not title or len(title) > MAX_TITLE:
            detail = _("chưa có tên chương.") if not title else _("tên dài quá 255 ký tự.")
            errors.append(at(number, "title", detail))
            ok = False
        order_text = values.get("order", "")
        order = int(order_text) if order_text.isdigit() else 0
        if order_text and (not order_text.isdigit() or order > MAX_ORDER):
            detail = _("thứ tự phải là số nguyên từ 0 đến %s.") % MAX_ORDER
            errors.append(at(number, "order", detail))
            ok = False
        if ok:
            chapters[path] = ChapterRow(file, number, path, title, order)
    for row in chapters.values():
        parent = row.path.rpartition("/")[0]
        if parent and parent not in chapters and not Chapter.objects.filter(path=parent).exists():
            detail = _("chương cấp trên “%s” không có trong tệp hay trong địa chí.") % parent
            errors.append(at(row.row, "path", detail))
    return chapters, errors


def _read_indicators(content: bytes) -> tuple[list[IndicatorRow], list[RowError]]:
    file = INDICATORS_FILE
    table = _CsvFile(file, content, INDICATOR_COLUMNS, ("code", "name", "unit"))
    at, errors = table.error, table.errors
    first: dict[str, int] = {}
    indicators = []
    for line in table.lines:
        number, values = line.number, {key: line.text(key) for key in line.cells}
        ok = True
        code = values["code"]
        if not code or len(code) > MAX_INDICATOR["code"] or not SLUG.fullmatch(code):
            detail = (
                _(
                    "mã chỉ tiêu “%s” không hợp lệ: chỉ dùng chữ không dấu, chữ số và dấu gạch "
                    "ngang, tối đa 64 ký tự."
                )
                % code
            )
            errors.append(at(number, "code", detail))
            ok = False
        elif code.lower() in first:
            detail = _("mã “%(code)s” đã có ở dòng %(other)s.") % {
                "code": code,
                "other": first[code.lower()],
            }
            errors.append(at(number, "code", detail))
            ok = False
        else:
            first[code.lower()] = number
        for name, missing in (
            ("name", _("chưa có tên chỉ tiêu.")),
            ("unit", _("chưa có đơn vị tính.")),
        ):
            if not values[name]:
                errors.append(at(number, name, missing))
                ok = False
            elif len(values[name]) > MAX_INDICATOR[name]:
                detail = _("dài quá %s ký tự.") % MAX_INDICATOR[name]
                errors.append(at(number, name, detail))
                ok = False
        if ok:
            indicators.append(
                IndicatorRow(
                    file, number, code, values["name"], values["unit"], values.get("definition", "")
                )
            )
    return indicators, errors


# Writing ------------------------------------------------------------------------------------


def import_folder(
    root: Path,
    *,
    acting_user: AnyUser,
    publish: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> FolderImportResult:
    """Read, check and write a folder: all of it, or nothing with every error listed.
    ``progress(done, total)`` counts the entries written (``write_folder``)."""
    folder, errors = read_folder(root)
    return write_folder(
        folder, errors, acting_user=acting_user, publish=publish, dry_run=dry_run, progress=progress
    )


def write_folder(
    folder: Folder,
    read_errors: Sequence[RowError] = (),
    *,
    acting_user: AnyUser,
    publish: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> FolderImportResult:
    """Finish the checks that span files, then write everything in one transaction. The errors
    are capped: the first 100 and a line counting the others (``errors.total``: all of them).
    ``progress(done, total, what)`` is told before each entry is written, then of the figures."""
    errors = list(read_errors)
    errors += _check_chapters(folder)
    try:
        with transaction.atomic():
            result = _write(
                folder, errors, acting_user=acting_user, publish=publish, progress=progress
            )
            if result.errors or dry_run:
                transaction.set_rollback(True)  # counted exactly, then nothing is kept
    except IntegrityError:
        # Someone saved one of these rows between our check and our write.
        message = _("Địa chí vừa được người khác thay đổi trong lúc nhập; hãy nhập lại thư mục.")
        return FolderImportResult(capped([RowError(None, None, message)]))
    return replace(result, errors=capped(result.errors))


def _check_chapters(folder: Folder) -> list[RowError]:
    """With a chapters.csv, an entry's chapter must be stored or declared there."""
    if folder.chapters is None:
        return []
    stored = set(Chapter.objects.values_list("path", flat=True))
    return [
        _error(
            draft.file,
            draft.chapter_line,
            "chapter",
            _("không có chương “%(path)s” trong địa chí hay trong %(file)s.")
            % {"path": draft.chapter_path, "file": CHAPTERS_FILE},
        )
        for draft in folder.entries
        if draft.chapter_path not in stored and draft.chapter_path not in folder.chapters
    ]


def _write(
    folder: Folder,
    errors: list[RowError],
    *,
    acting_user: AnyUser,
    publish: bool,
    progress: ProgressCallback | None = None,
) -> FolderImportResult:
    # Indicators first, even when other files have errors, so the figures are checked against
    # them; the caller rolls everything back if any error was found.
    indicators_saved = sum(
        do_save_indicator(i.code, i.name, i.unit, i.definition, acting_user=acting_user)
        for i in folder.indicators
    )
    specs: list[ObservationSpec] = []
    if folder.observations:
        # Rows carry their file: each error names its own (``row_where``).
        specs, row_errors = figures.validate(folder.observations)
        errors += row_errors
    if errors:
        return FolderImportResult(errors)

    chapters_created = _ensure_chapters(folder, acting_user=acting_user)
    by_path = {c.path: c for c in Chapter.objects.all()}
    existing = {
        e.slug: e
        for e in Entry.objects.filter(slug__in=[d.slug for d in folder.entries])
        .select_related("chapter")
        .prefetch_related("places", "sources")
    }
    created = changed = unchanged = published = 0
    total = len(folder.entries)
    for done, draft in enumerate(folder.entries):
        if progress:
            progress(done, total, _("mục từ %(slug)s") % {"slug": draft.slug})
        entry = existing.get(draft.slug)
        if entry is not None and _same(entry, draft):
            unchanged += 1
        else:
            spec = EntrySpec(
                slug=draft.slug,
                title=draft.title,
                kind=draft.kind,
                chapter=by_path[draft.chapter_path],
                body=draft.body,
                places=draft.places,
                period=draft.period,
                sources=draft.sources,
            )
            created += entry is None
            changed += entry is not None
            entry = do_save_entry(spec, acting_user=acting_user)
        if publish and entry.state != EntryState.PUBLISHED:
            if entry.state == EntryState.DRAFT:
                do_set_entry_state(entry, EntryState.REVIEWED, acting_user=acting_user)
            do_set_entry_state(entry, EntryState.PUBLISHED, acting_user=acting_user)
            published += 1
    if progress:
        progress(total, total, _("số liệu") if specs else "")
    added, revised = (
        do_save_observations(specs, acting_user=acting_user, source_file=OBSERVATIONS_FILE)
        if specs
        else (0, 0)
    )
    return FolderImportResult(
        [],
        chapters_created=chapters_created,
        entries_created=created,
        entries_changed=changed,
        entries_unchanged=unchanged,
        entries_published=published,
        indicators_saved=indicators_saved,
        observations_added=added,
        observations_revised=revised,
    )


def _same(entry: Entry, draft: EntryDraft) -> bool:
    """Whether the draft says exactly what the working copy says (then no new revision)."""
    return (
        entry.title,
        entry.kind,
        entry.chapter.path,
        entry.body,
        entry.period,
        sorted(p.code for p in entry.places.all()),
        [_source_dict(s) for s in entry.sources.all()],
    ) == (
        draft.title,
        draft.kind,
        draft.chapter_path,
        draft.body,
        draft.period,
        sorted(p.code for p in draft.places),
        [vars(s) for s in draft.sources],
    )


def _source_dict(source: Any) -> dict[str, str]:
    return {name: getattr(source, name) for name in SOURCE_FIELDS}


def humanise(slug: str) -> str:
    """A title for a chapter nobody named: "song-ngoi" → "Song ngoi"."""
    return slug.replace("-", " ").replace("_", " ").strip().capitalize() or slug


def _ensure_chapters(folder: Folder, *, acting_user: AnyUser) -> int:
    """Create the chapters the folder needs (its entries' and chapters.csv's), parents first;
    update the title and order of stored ones chapters.csv names differently."""
    declared = folder.chapters or {}
    needed: set[str] = set(declared)
    for draft in folder.entries:
        parts = draft.chapter_path.split("/")
        needed.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    stored = {c.path: c for c in Chapter.objects.filter(path__in=needed)}
    created = 0
    for path in sorted(needed, key=lambda p: (p.count("/"), p)):
        row = declared.get(path)
        chapter = stored.get(path)
        if chapter is not None and (
            row is None
            or (chapter.title, chapter.order)
            == (
                row.title,
                row.order,
            )
        ):
            continue
        parent_path, _sep, slug = path.rpartition("/")
        title = row.title if row is not None else humanise(slug)
        order = row.order if row is not None else 0
        stored[path] = do_save_chapter(
            slug,
            title,
            order=order,
            parent=stored.get(parent_path) if parent_path else None,
            acting_user=acting_user,
        )
        created += chapter is None
    return created


# Export -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    entries: int
    chapters: int
    indicators: int
    observations: int


def export_folder(root: Path) -> ExportResult:
    """Write the working copies as a folder that ``import_folder`` reads back."""
    entries_dir = root / ENTRIES_DIR
    entries_dir.mkdir(parents=True, exist_ok=True)
    entries = (
        Entry.objects.select_related("chapter")
        .prefetch_related("places", "sources")
        .order_by("slug")
    )
    count = 0
    for entry in entries:
        (entries_dir / f"{entry.slug}.md").write_text(entry_text(entry), encoding="utf-8")
        count += 1
    chapters = list(Chapter.objects.order_by("path"))
    _write_csv(
        root / CHAPTERS_FILE,
        [c.header for c in CHAPTER_COLUMNS],
        ([c.path, c.title, c.order] for c in chapters),
    )
    indicators = list(Indicator.objects.order_by("code"))
    _write_csv(
        root / INDICATORS_FILE,
        [c.header for c in INDICATOR_COLUMNS],
        ([i.code, i.name, i.unit, i.definition] for i in indicators),
    )
    observations = Observation.objects.select_related("indicator", "place").order_by(
        "indicator__code", "place__code", "year"
    )
    n_observations = _write_csv(
        root / OBSERVATIONS_FILE,
        OBSERVATION_COLUMNS,
        (
            [
                o.indicator.code,
                o.place.code,
                o.year,
                export_value(o.value),
                o.source,
                o.note,
                "1" if o.is_sample else "",
            ]
            for o in observations
        ),
    )
    return ExportResult(count, len(chapters), len(indicators), n_observations)


def entry_text(entry: Entry) -> str:
    """An entry as its file: front matter (empty fields left out), then the Markdown body."""
    front: dict[str, Any] = {
        "title": entry.title,
        "slug": entry.slug,
        "kind": entry.kind,
        "chapter": entry.chapter.path,
    }
    codes = sorted(p.code for p in entry.places.all())
    if codes:
        front["places"] = codes
    if entry.period:
        front["period"] = entry.period
    sources = [{k: v for k, v in _source_dict(s).items() if v} for s in entry.sources.all()]
    if sources:
        front["sources"] = sources
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{dumped}---\n\n{entry.body.strip()}\n"


def export_value(value: Decimal) -> str:
    """A value the import reads back as the same number. "1.234" would be refused there as
    ambiguous (thousands or decimals?), so exactly three decimals get a fourth: "1.2340"."""
    text = f"{value.normalize():f}"
    whole, _sep, decimals = text.lstrip("-").partition(".")
    if len(decimals) == 3 and len(whole) <= 3 and whole != "0":
        return f"{value:.4f}"
    return text


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """The rows as CSV (every cell neutralised: the folder is opened in Excel too); the count."""
    written = list(rows)
    path.write_text(table_csv_text(header, written), encoding="utf-8")
    return len(written)
