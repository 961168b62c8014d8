"""Long work shows its progress (``tinhuy.progress``): a bar on a terminal, plain periodic lines
elsewhere (CI, logs), nothing at ``--verbosity 0``; library functions report through a callback."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import Units
from tests.org.test_import import GOOD_ROWS, csv_bytes
from tinhuy.progress import Reporter, duration_text, rate_text, status_text
from tinhuy.search.backends import Document, index_documents, rebuild_index
from tinhuy.search.models import SearchDocument

# Anything a log should not hold: carriage returns, escapes (colours, cursor moves), bells…
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as sys.stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(command: str, *args: str, **options: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def many_documents(db: None) -> int:
    """2.500 entries in the index: more than two batches of the thousand that rebuild reports."""
    SearchDocument.objects.all().delete()
    index_documents(
        Document(f"entry:muc-{n}", "topic", f"Mục {n}", f"Nội dung mục {n}.", f"/dia-chi/muc/{n}/")
        for n in range(2_500)
    )
    return 2_500


def test_off_a_terminal_it_writes_a_plain_line_every_few_seconds() -> None:
    """100.000 items at 4.800 a second, reported every thousand: a line each five seconds with
    the counts, percentage, rate and time left, Vietnamese separators, no control character."""
    clock, stream = Clock(), io.StringIO()
    reporter = Reporter("Dựng lại chỉ mục", unit="mục", stream=stream, clock=clock)
    assert reporter.mode == "lines"
    start = clock.now
    for done in range(0, 100_001, 1_000):
        clock.now = start + done / 4_800
        reporter(done, 100_000)
    reporter.close()

    text = stream.getvalue()
    lines = text.splitlines()
    assert len(lines) == 5  # at 5, 10, 15 and 20 seconds, then the last figures
    assert lines[0] == "Dựng lại chỉ mục: 24.000 / 100.000 mục (24%), 4.800/s, còn khoảng 16 s"
    assert lines[-1] == "Dựng lại chỉ mục: 100.000 / 100.000 mục (100%), 4.800/s, xong sau 21 s"
    assert not CONTROL.search(text)


def test_work_quicker_than_the_interval_writes_nothing() -> None:
    """A quick run leaves the log to the command's own summary."""
    clock, stream = Clock(), io.StringIO()
    with Reporter("Nhập", unit="bước", stream=stream, clock=clock) as reporter:
        for step in range(4):
            clock.now += 1
            reporter(step, 3)
    assert stream.getvalue() == ""


def test_the_bar_is_drawn_only_on_a_terminal() -> None:
    """On a terminal: a redrawn bar (carriage returns) with the Vietnamese figures."""
    assert Reporter("x", stream=io.StringIO()).mode == "lines"
    terminal = Terminal()
    with Reporter("Nạp dữ liệu mẫu", unit="bước", stream=terminal) as reporter:
        assert reporter.mode == "bar"
        for step in range(9):
            reporter(step, 8, "Địa chí" if step < 8 else "")

    drawn = terminal.getvalue()
    assert "\r" in drawn
    assert "Nạp dữ liệu mẫu: |" in drawn
    assert "8 / 8 bước (100%)" in drawn
    assert "— Địa chí" in drawn


def test_verbosity_0_is_quiet_even_on_a_terminal() -> None:
    terminal = Terminal()
    with Reporter("x", unit="mục", stream=terminal, verbosity=0) as reporter:
        reporter(5, 10)
        reporter(10, 10)
    assert reporter.mode == "quiet"
    assert terminal.getvalue() == ""


def test_a_new_total_starts_a_new_phase_with_its_own_rate() -> None:
    """Checking then writing: the rate of the second phase is not diluted by the first."""
    clock, stream = Clock(), io.StringIO()
    reporter = Reporter("Nhập", unit="mục", stream=stream, clock=clock, interval=5)
    clock.now += 100
    reporter(10, 10)  # the first phase took 100 s
    reporter(0, 1_000)
    clock.now += 10
    reporter(500, 1_000)
    assert stream.getvalue().splitlines()[-1] == (
        "Nhập: 500 / 1.000 mục (50%), 50/s, còn khoảng 10 s"
    )


def test_figures_are_written_the_vietnamese_way() -> None:
    assert duration_text(18.4) == "18 s"
    assert duration_text(65) == "1 phút 5 s"
    assert duration_text(3_725) == "1 giờ 2 phút"
    assert rate_text(4_800.2) == "4.800/s"
    assert rate_text(2.5) == "2,5/s"
    assert status_text(0, 12_000, "mục", elapsed=0) == "0 / 12.000 mục (0%)"
    assert status_text(3, 8, "bước", elapsed=2, note="Địa chí") == (
        "3 / 8 bước (37%), 1,5/s, còn khoảng 4 s — Địa chí"
    )


@pytest.mark.parametrize("search_engine", ["tantivy"], indirect=True)
def test_rebuilding_the_index_reports_each_thousand_and_the_total(
    search_engine: str, many_documents: int
) -> None:
    calls: list[tuple[int, int]] = []

    count = rebuild_index(progress=lambda done, total, note="": calls.append((done, total)))

    assert count == many_documents == SearchDocument.objects.count()
    assert calls == [(1_000, 2_500), (2_000, 2_500), (2_500, 2_500)]


@pytest.mark.parametrize("search_engine", ["tantivy"], indirect=True)
def test_search_reindex_draws_its_bar_on_a_terminal(
    search_engine: str, many_documents: int
) -> None:
    out, terminal = io.StringIO(), Terminal()
    call_command("search_reindex", stdout=out, stderr=terminal)
    assert "Dựng lại chỉ mục: |" in terminal.getvalue()
    assert "2.500 / 2.500 mục (100%)" in terminal.getvalue()
    assert "2.500 mục." in out.getvalue()


@pytest.mark.parametrize("search_engine", ["tantivy"], indirect=True)
def test_search_reindex_with_verbosity_0_prints_nothing(
    search_engine: str, many_documents: int
) -> None:
    """Not on stdout, not on stderr, even when stderr is a terminal (where a bar would be)."""
    out, terminal = io.StringIO(), Terminal()
    call_command("search_reindex", verbosity=0, stdout=out, stderr=terminal)
    assert out.getvalue() == terminal.getvalue() == ""
    assert rebuild_index() == many_documents  # it did rebuild


def test_import_structure_reports_its_steps_and_is_quiet_at_verbosity_0(
    units: Units, tmp_path: Path
) -> None:
    path = tmp_path / "vinh.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS))
    from tinhuy.org.importing import import_structure

    calls: list[tuple[int, int, str]] = []
    result = import_structure(
        units.structure_2020,
        path.read_bytes(),
        path.name,
        acting_user=None,
        dry_run=True,
        progress=lambda done, total, note="": calls.append((done, total, note)),
    )
    assert result.created == 3
    assert calls == [(0, 3, "đọc tệp"), (1, 3, "kiểm tra 3 dòng"), (3, 3, "")]

    out, err = run("import_structure", str(path), "--structure", "nghe-an-2020", verbosity=0)
    assert out == err == ""
    assert units.structure_2020.units.filter(code="412-CS91").exists()
