"""Progress of long work, shown by the ``tinhuy`` commands.

Library code never prints: a function that can run for a while takes an optional ``progress``
callback and calls it as ``progress(done, total)`` (or ``progress(done, total, note)`` with the
name of the step under way). The command that runs it owns the display and passes a
``Reporter``::

    with command_reporter(self, options, "Dựng lại chỉ mục", unit="mục") as progress:
        count = rebuild_index(progress=progress)

On a terminal the reporter draws a bar (tqdm) with the rate and an estimate of the time left;
elsewhere (CI, logs, ``tinhuy … > log``) it writes a plain line at most every few seconds,
"12.000 / 100.000 mục (12%), 4.800/s, còn khoảng 18 s", with no control characters; with
``--verbosity 0`` it writes nothing. Numbers have Vietnamese separators.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, TextIO, cast

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from tinhuy.documents.numbers import format_number

__all__ = ["LINE_INTERVAL", "ProgressCallback", "Reporter", "command_reporter", "status_text"]

LINE_INTERVAL = 5.0  # seconds between two plain lines: a log stays readable
DEFAULT_COLUMNS, DEFAULT_ROWS = 100, 24  # for a terminal that does not tell its size


class ProgressCallback(Protocol):
    """What long functions call: ``done`` of ``total`` items (or steps) finished so far."""

    def __call__(self, done: int, total: int, /, note: str = "") -> None: ...


def duration_text(seconds: float) -> str:
    """18 s, 3 phút 5 s, 1 giờ 2 phút: as precise as an estimate deserves."""
    whole = max(0, round(seconds))
    if whole < 60:
        return _("%(s)s s") % {"s": whole}
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return _("%(m)s phút %(s)s s") % {"m": minutes, "s": secs}
    hours, minutes = divmod(minutes, 60)
    return _("%(h)s giờ %(m)s phút") % {"h": format_number(hours), "m": minutes}


def rate_text(rate: float) -> str:
    """4.800/s; one decimal below ten (2,5/s), where rounding would lie."""
    return format_number(rate, 0 if rate >= 10 else 1) + "/s"


def status_text(
    done: int, total: int, unit: str, *, elapsed: float, rate: float | None = None, note: str = ""
) -> str:
    """'12.000 / 100.000 mục (12%), 4.800/s, còn khoảng 18 s' (the rate and estimate once
    something is done), then the step under way, if any."""
    parts = [f"{format_number(done)} / {format_number(total)} {unit}".rstrip()]
    if total > 0:
        parts[0] += f" ({min(100, done * 100 // total)}%)"
    if rate is None and done > 0 and elapsed > 0:
        rate = done / elapsed
    if rate:
        parts.append(rate_text(rate))
        if done < total:
            parts.append(
                _("còn khoảng %(time)s") % {"time": duration_text(math.ceil((total - done) / rate))}
            )
    if done >= total > 0:
        parts.append(_("xong sau %(time)s") % {"time": duration_text(elapsed)})
    text = ", ".join(parts)
    return f"{text} — {note}" if note else text


class _Bar(tqdm):  # type: ignore[misc]  # tqdm ships no type hints
    """tqdm's bar, its figures written the Vietnamese way (tqdm's own say 12.0k, 4.80kit/s)."""

    def __init__(self, *args: Any, note: str = "", **kwargs: Any) -> None:
        self.note = note  # before tqdm draws the bar for the first time
        super().__init__(*args, **kwargs)

    @property
    def format_dict(self) -> dict[str, Any]:
        values = dict(super().format_dict)
        values["status"] = status_text(
            values["n"],
            values["total"] or 0,
            values["unit"],
            elapsed=values["elapsed"],
            rate=values["rate"],
            note=self.note,
        )
        return values


class Reporter:
    """Shows ``done / total`` as it is reported: a bar on a terminal, plain lines at most every
    ``interval`` seconds elsewhere, nothing when ``verbosity`` is 0. Call it as the progress
    callback; close it (or use it as a context manager) when the work is over."""

    def __init__(
        self,
        label: str,
        *,
        unit: str = "",
        stream: TextIO,
        verbosity: int = 1,
        interval: float = LINE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.unit, self.stream = label, unit, stream
        self.interval, self.clock = interval, clock
        if verbosity < 1:
            self.mode = "quiet"
        else:
            is_terminal = getattr(stream, "isatty", None)
            self.mode = "bar" if is_terminal is not None and is_terminal() else "lines"
        self.started = clock()
        self.last_line = self.started
        self.lines = 0  # plain lines written
        self.state: tuple[int, int, str] | None = None  # the last report, not yet written
        self.bar: _Bar | None = None
        self.total: int | None = None

    def __call__(self, done: int, total: int, /, note: str = "") -> None:
        if total != self.total:  # a new phase (checking, then writing): a new rate and estimate
            self.total = total
            self.started = self.clock()
            if self.bar is not None:
                self.bar.close()
                self.bar = None
        if self.mode == "bar":
            self._draw(done, total, note)
        elif self.mode == "lines":
            self.state = (done, total, note)
            now = self.clock()
            if now - self.last_line >= self.interval:
                self._line(now)

    def close(self) -> None:
        """The last figures: the bar completed, or a last line if lines were written."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.mode == "lines" and self.lines and self.state is not None:
            self._line(self.clock())

    def __enter__(self) -> Reporter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _draw(self, done: int, total: int, note: str) -> None:
        if self.bar is None:
            known = _size_known(self.stream)
            self.bar = _Bar(
                total=total,
                file=self.stream,
                desc=self.label,
                unit=self.unit,
                bar_format="{desc}: |{bar}| {status}",  # the status has the percentage
                # Follow the window's size; a terminal that does not tell it (0 × 0, as some
                # pseudo-terminals do) would get nothing from tqdm: then 100 columns, 24 rows.
                dynamic_ncols=known,
                ncols=None if known else DEFAULT_COLUMNS,
                nrows=None if known else DEFAULT_ROWS,
                mininterval=0.2,  # redraws are cheap but not free: five a second is plenty
                note=note,
            )
        self.bar.note = note
        self.bar.update(done - self.bar.n)

    def _line(self, now: float) -> None:
        if self.state is None:
            return
        done, total, note = self.state
        status = status_text(done, total, self.unit, elapsed=now - self.started, note=note)
        self.stream.write(f"{self.label}: {status}\n")
        self.stream.flush()
        self.state = None
        self.last_line = now
        self.lines += 1


def _size_known(stream: TextIO) -> bool:
    """Whether the terminal tells its width and height."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return False
    return size.columns > 0 and size.lines > 0


def command_reporter(
    command: BaseCommand, options: dict[str, Any], label: str, *, unit: str = ""
) -> Reporter:
    """A reporter on the command's error stream (the output stays for results, so
    ``tinhuy … > log`` still shows the bar), quiet with ``--verbosity 0``."""
    # OutputWrapper adds a line ending to each write, which would break the bar's redraws;
    # the stream it wraps is the real one.
    stream = cast("TextIO", getattr(command.stderr, "_out", command.stderr))
    return Reporter(label, unit=unit, stream=stream, verbosity=int(options.get("verbosity", 1)))
