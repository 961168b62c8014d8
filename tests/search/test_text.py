"""Vietnamese normal form, folding and sort order."""

import unicodedata

import pytest

from tinhuy.search.text import fold, normalize, sort_key


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Nghệ An", "nghe an"),
        ("Đô Lương", "do luong"),
        ("ĐÔ LƯƠNG", "do luong"),
        ("Nghi Lộc", "nghi loc"),
        (unicodedata.normalize("NFD", "Nghệ An"), "nghe an"),
        ("  Quỳnh\u00a0Lưu\u200b ", "quynh luu"),
    ],
)
def test_fold_ignores_case_marks_and_d_bar(typed: str, folded: str) -> None:
    assert fold(typed) == folded


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("hoà", "hòa"),
        ("Thái Hoà", "Thái Hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("quý", "quý"),  # after q, u belongs to the consonant
        ("Quỳnh", "Quỳnh"),
        ("hoàn", "hoàn"),  # a closed syllable keeps the mark on the main vowel
        ("hòa", "hòa"),
    ],
)
def test_normalize_puts_tone_marks_in_one_place(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


def test_normalize_returns_nfc() -> None:
    assert normalize(unicodedata.normalize("NFD", "Nghệ An")) == unicodedata.normalize(
        "NFC", "Nghệ An"
    )


def test_sort_key_follows_the_vietnamese_alphabet() -> None:
    names = ["Yên Thành", "Đô Lương", "Diễn Châu", "Ân Thi", "Ăn", "Anh Sơn", "An", "Bắc", "Tân Kỳ"]
    assert sorted(names, key=sort_key) == [
        "An", "Anh Sơn", "Ăn", "Ân Thi", "Bắc", "Diễn Châu", "Đô Lương", "Tân Kỳ", "Yên Thành",
    ]  # fmt: skip


def test_sort_key_orders_tones_level_grave_hook_tilde_acute_dot() -> None:
    assert sorted(["ạ", "á", "ã", "ả", "à", "a"], key=sort_key) == ["a", "à", "ả", "ã", "á", "ạ"]


def test_sort_key_compares_letters_before_tones() -> None:
    # Letters decide first: "Bà Rịa" < "Ba Vì" because r < v, whatever the tones.
    assert sorted(["Bà Rịa", "Ba Vì", "Bá"], key=sort_key) == ["Bá", "Bà Rịa", "Ba Vì"]


def test_sort_key_is_digits_only_so_any_collation_agrees() -> None:
    assert sort_key("Đảng bộ huyện Nghi Lộc (minh họa) – số 1").isdigit()


@pytest.mark.parametrize(
    "text",
    [
        "Thái Hoà  có\u00a0nhiều đồi cỏ",
        unicodedata.normalize("NFD", "Huyện Đô Lương, thuỷ lợi"),
        "a \u200b b\u200bc\tTHỦY\n\nquý \u0301 x",
        "",
        "   ",
        "Vịnh Bắc Bộ\u202fvà Nghệ An — 1930–1931",
    ],
)
def test_the_word_by_word_pipeline_gives_the_same_text(text: str) -> None:
    """Indexing uses the cached word-by-word versions; they must not change a character."""
    from tinhuy.search.text import fold_text, normalize_text

    assert normalize_text(text) == normalize(text)
    assert fold_text(normalize_text(text)) == fold(normalize(text)) == fold(text)
