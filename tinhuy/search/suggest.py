"""“Có phải bạn muốn tìm…”: a search without results, spelled again from the indexed titles.

A citizen mistypes ("nghe anh", "phan boi chau" as "phan bo chau", "Đô Lương" as "do luongg"):
each folded word of the query that no indexed title contains is replaced by the closest word of
the titles (folded edit distance, a letter swapped counting one: at most one edit in a word of
up to four letters, two in a longer one; ties to the same length, then to the commoner word),
and the corrected query is searched again with the same filters. It is offered only if
it finds something. The corrected words are shown as the titles write them ("Nghệ An"), so the
suggestion reads as Vietnamese whether the user typed marks or not.

The vocabulary (each folded title word → how the titles write it, and how often) is read from
``SearchDocument`` once and kept in this process, keyed on the highest id (a document added by
any process: a new key) and on the counter that this process's own re-indexing bumps
(``backends.index_generation``), so an edited or removed title is seen at once here, and in
another process with the next document added. A word kept from a removed title can only offer a
query that finds nothing: then nothing is offered.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max

from tinhuy.search.backends import Filters, Hit, Query, index_generation, search
from tinhuy.search.models import SearchDocument
from tinhuy.search.text import fold, normalize

MIN_LENGTH = 3  # shorter words are left as typed: too many words are one letter away
SHORT_WORD = 4  # up to this length one edit, beyond it two
SUGGESTED_HITS = 3
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class DidYouMean:
    """The corrected query as the titles write it, and the first hits it finds."""

    query: str
    hits: list[Hit]
    total: int


@dataclass(frozen=True)
class Vocabulary:
    written: dict[str, str]  # folded word → the commonest way the titles write it
    by_length: dict[int, list[str]]  # folded words by length, commonest first
    rank: dict[str, int]  # folded word → its place in that order (0: the commonest)

    @classmethod
    def of(cls, titles: Iterable[str]) -> Vocabulary:
        seen: dict[str, Counter[str]] = {}
        for title in titles:
            for word in _WORD.findall(normalize(title)):
                seen.setdefault(fold(word), Counter())[word] += 1
        written = {}
        counts = {}
        for folded, forms in seen.items():
            written[folded] = forms.most_common(1)[0][0]
            counts[folded] = sum(forms.values())
        by_length: dict[int, list[str]] = {}
        order = sorted(counts, key=lambda w: (-counts[w], w))
        for folded in order:
            by_length.setdefault(len(folded), []).append(folded)
        return cls(written, by_length, {w: i for i, w in enumerate(order)})

    def closest(self, word: str) -> str | None:
        """The title word closest to ``word`` (folded), or None if none is near enough."""
        if word in self.written:
            return word
        if len(word) < MIN_LENGTH:
            return None
        allowed = 1 if len(word) <= SHORT_WORD else 2
        best: tuple[int, int, int, str] | None = None
        for n in range(len(word) - allowed, len(word) + allowed + 1):
            for candidate in self.by_length.get(n, ()):
                distance = edit_distance(word, candidate, allowed)
                if distance <= allowed:
                    key = (distance, abs(n - len(word)), self.rank[candidate], candidate)
                    if best is None or key < best:
                        best = key
        return best[3] if best else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), or ``limit + 1`` as
    soon as it is certainly more than ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


_kept: dict[str, Vocabulary] = {}
_lock = threading.Lock()


def forget_vocabulary() -> None:
    """Drop the kept vocabulary (tests)."""
    with _lock:
        _kept.clear()


def vocabulary() -> Vocabulary:
    """The titles' words, read once per change of the index (see the module docstring)."""
    # The highest id is an index lookup (a count would read every row).
    last = SearchDocument.objects.aggregate(last=Max("id"))["last"]
    key = f"{last}:{index_generation()}"
    with _lock:
        kept = _kept.get(key)
    if kept is not None:
        return kept
    found = Vocabulary.of(SearchDocument.objects.values_list("title", flat=True).iterator())
    with _lock:
        _kept.clear()
        _kept[key] = found
    return found


def corrected(text: str, words: Vocabulary) -> str | None:
    """The query with each unknown word replaced by the closest title word, as the titles
    write it; None when no word changes (or a word has nothing close)."""
    query = Query.parse(text)
    if not query:
        return None
    out = []
    changed = False
    for word in query.folded:
        close = words.closest(word)
        if close is None:
            return None
        changed = changed or close != word
        out.append(words.written[close])
    return " ".join(out) if changed else None


def did_you_mean(text: str, *, filters: Filters | None = None) -> DidYouMean | None:
    """For a search that found nothing: the corrected query and what it finds, or None."""
    suggestion = corrected(text, vocabulary())
    if suggestion is None:
        return None
    hits, total = search(suggestion, filters=filters, limit=SUGGESTED_HITS)
    if not total:
        return None
    return DidYouMean(suggestion, hits, total)
