"""The English catalogue is complete, keeps every placeholder, and is what Django serves in English.

Vietnamese is the source language (``LANGUAGE_CODE = "vi"``), so every UI string is a Vietnamese
msgid and English exists only through ``tinhuy/locale/en/LC_MESSAGES/django.po``.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.template import Context, Template
from django.utils import translation

import tinhuy

LC_MESSAGES = Path(tinhuy.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"


def _read_catalog() -> Catalog:
    with PO_PATH.open("rb") as po:
        return read_po(po, locale="en")


def _compile_mo_if_stale() -> None:
    """Compile django.mo next to django.po when it is missing or older than the .po.

    The .mo is a build product (``*.mo`` is in .gitignore): ``make test`` compiles it with
    ``make messages`` before running pytest, but a plain ``pytest`` on a fresh checkout would
    otherwise find no English catalogue, and Django would silently serve Vietnamese. It has to
    be the real location, not a temporary one, because Django reads LOCALE_PATHS the first time
    it activates "en" and caches the result for the whole process. This runs at import, i.e.
    while pytest collects the tests and before any test has activated English; the file is
    written to a temporary name and renamed, so a concurrent run never reads half a file.
    """
    if MO_PATH.exists() and MO_PATH.stat().st_mtime >= PO_PATH.stat().st_mtime:
        return
    catalog = _read_catalog()
    fd, tmp = tempfile.mkstemp(dir=LC_MESSAGES, prefix=".django-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would differ from what `make messages` writes
        os.replace(tmp, MO_PATH)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_compile_mo_if_stale()

# A printf-style conversion: %(name)s, %s, %d, %.1f … ("%%" is a literal percent sign).
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<kind>[diouxXeEfFgGcrsa%])"
)


def placeholders(text: str) -> list[str]:
    """The conversions of ``text`` in order, without literal "%%"."""
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group("kind") != "%")


def entries() -> list[Message]:
    return [m for m in _read_catalog() if m.id]


def forms(message: Message) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs to compare: the singular, then each plural form against msgid_plural."""
    if isinstance(message.id, str):
        return [(message.id, message.string or "")]
    singular, plural = message.id
    strings = list(message.string) if message.string else ["", ""]
    return [(singular, strings[0]), *[(plural, s or "") for s in strings[1:]]]


def label(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def test_catalogue_header_is_english_and_not_fuzzy() -> None:
    catalog = _read_catalog()
    assert not catalog.fuzzy
    headers = dict(catalog.mime_headers)
    assert catalog.locale_identifier == "en"
    assert "charset=utf-8" in headers["Content-Type"].lower()
    assert catalog.plural_forms.replace(" ", "") == "nplurals=2;plural=(n!=1);"
    assert catalog.num_plurals == 2


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    messages = entries()
    assert len(messages) > 100  # the catalogue was read, not an empty file
    fuzzy = [label(m) for m in messages if m.fuzzy]
    untranslated = [label(m) for m in messages if not all(s for _id, s in forms(m))]
    plural_forms = [label(m) for m in messages if m.pluralizable and len(forms(m)) != 2]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"
    assert not plural_forms, f"plural entries without exactly two English forms: {plural_forms}"


def test_every_translation_keeps_the_placeholders_of_its_msgid() -> None:
    wrong = [
        (msgid, msgstr)
        for message in entries()
        if message.python_format or "%(" in label(message)
        for msgid, msgstr in forms(message)
        if set(placeholders(msgid)) != set(placeholders(msgstr))
        or msgid.count("%%") != msgstr.count("%%")
    ]
    assert not wrong, f"placeholders differ: {wrong}"


def test_every_translation_keeps_the_edges_of_its_msgid() -> None:
    """Leading or trailing spaces and line breaks are layout: "chức danh: " is followed by a list."""
    wrong = [
        (msgid, msgstr)
        for message in entries()
        for msgid, msgstr in forms(message)
        if msgid[:1].isspace() != msgstr[:1].isspace()
        or msgid[-1:].isspace() != msgstr[-1:].isspace()
        or msgid.count("\n") != msgstr.count("\n")
    ]
    assert not wrong, f"whitespace differs: {wrong}"


def test_django_serves_the_whole_catalogue_in_english() -> None:
    """Every entry comes back from gettext as its msgstr: the compiled .mo is current."""
    stale = []
    with translation.override("en"):
        for message in entries():
            if message.context:
                got = [translation.pgettext(message.context, message.id)]
                want = [message.string]
            elif isinstance(message.id, str):
                got, want = [translation.gettext(message.id)], [message.string]
            else:
                singular, plural = message.id
                got = [translation.ngettext(singular, plural, n) for n in (1, 2)]
                want = list(message.string)
            if got != want:
                stale.append((label(message), got, want))
    assert not stale, f"not served from the .po (recompile with `make messages`): {stale}"


@pytest.mark.parametrize(
    ("vietnamese", "english"),
    [
        ("Đơn vị của tôi", "My units"),
        ("Học tập, quán triệt", "Study and dissemination"),
        ("Địa chí", "Gazetteer"),
        ("Đăng nhập", "Sign in"),
        ("Đăng xuất", "Sign out"),
        ("Ủy viên Ban Thường vụ", "Standing Board member"),
        ("Chi bộ", "Party cell"),
        ("Tổ chức cơ sở đảng", "Grassroots Party organisation"),
        ("điểm cầu", "bridge point"),
        ("số liệu minh họa", "sample data"),
    ],
)
def test_key_ui_strings_are_english(vietnamese: str, english: str) -> None:
    with translation.override("en"):
        assert translation.gettext(vietnamese) == english
    with translation.override("vi"):
        assert translation.gettext(vietnamese) == vietnamese


def test_formatted_and_plural_strings_are_english() -> None:
    with translation.override("en"):
        assert (
            translation.gettext("Dòng %(row)s, cột “%(column)s”: %(detail)s")
            % {"row": 3, "column": "Năm", "detail": "no year given."}
            == "Row 3, column “Năm”: no year given."
        )
        assert translation.ngettext("%(n)s mục từ", "%(n)s mục từ", 1) % {"n": 1} == "1 entry"
        assert translation.ngettext("%(n)s mục từ", "%(n)s mục từ", 5) % {"n": 5} == "5 entries"


def test_templates_and_model_labels_are_english() -> None:
    from tinhuy.org.models import Unit

    template = Template(
        "{% load i18n %}{% translate 'Trang chủ' %} · "
        "{% blocktranslate count n=count %}{{ n }} sự kiện{% plural %}{{ n }} sự kiện{% endblocktranslate %}"
    )
    with translation.override("en"):
        assert template.render(Context({"count": 2})) == "Home · 2 events"
        assert str(Unit._meta.verbose_name) == "unit"
    with translation.override("vi"):
        assert template.render(Context({"count": 2})) == "Trang chủ · 2 sự kiện"
