"""Markdown to safe HTML for gazetteer entries: markdown-it-py renders, nh3 sanitises.

Raw HTML in the source is not rendered at all (``html=False``), and the output goes through an
allow-list: no <script>, no event-handler attributes, no iframes, links only to http(s), mailto
and relative URLs.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}


def render(source: str) -> str:
    """Safe HTML for a Markdown body."""
    return _clean(_md.render(source))


def plain_text(source: str) -> str:
    """The text of a Markdown body without markup, for the search index."""
    return html.unescape(nh3.clean(_md.render(source), tags=set())).strip()


# Rendered diffs ------------------------------------------------------------------------------
# Readers compare what they read, not Markdown: both texts are rendered, cut into blocks
# (paragraphs, headings, list items, table rows, code), the blocks matched with difflib, and
# the words of a changed block compared again, so "<del>1963</del><ins>1963–2025</ins>" shows
# inside its sentence. Unchanged blocks keep their formatting (bold, links), sanitised as on
# publishing; changed ones are shown as plain words, every piece escaped.

_WORD = re.compile(r"\s+|\w+|[^\w\s]")
_HEADINGS = {"h1": "h3", "h2": "h4"}  # the page has its own h1/h2: a body's headings step down


@dataclass(frozen=True)
class Block:
    tag: str  # what to show it as: p, h3, h4, h5, li, pre, tr
    text: str  # the words a reader sees
    html: str  # the same, rendered and sanitised (unchanged blocks are shown so)


def _clean(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def _plain(fragment: str) -> str:
    return html.unescape(nh3.clean(fragment, tags=set())).strip()


def blocks(source: str) -> list[Block]:
    """The blocks of a Markdown text as a reader sees them, in order."""
    tokens = _md.parse(source)
    out: list[Block] = []
    opened: list[str] = []  # tags of the blocks we are inside
    row: list[tuple[str, str]] = []  # the cells of the table row being read
    for token in tokens:
        if token.nesting == 1:
            opened.append(token.tag)
            if token.tag == "tr":
                row = []
        elif token.nesting == -1:
            if opened:
                opened.pop()
            if token.tag == "tr" and row:
                out.append(
                    Block("tr", " | ".join(t for t, _ in row), " | ".join(h for _, h in row))
                )
        elif token.type == "inline":
            rendered = _md.renderer.render(token.children or [], _md.options, {})
            text, safe = _plain(rendered), _clean(rendered)
            if not text:
                continue
            if "tr" in opened:
                row.append((text, safe))
            elif opened and opened[-1] in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                out.append(Block(_HEADINGS.get(opened[-1], "h5"), text, safe))
            elif "li" in opened:
                out.append(Block("li", text, safe))
            else:
                out.append(Block("p", text, safe))
        elif token.type in {"fence", "code_block"} and token.content.strip():
            code = token.content.rstrip("\n")
            out.append(Block("pre", code, escape(code)))
    return out


def _words_diff(before: str, after: str) -> str:
    """The newer text with removed words in <del> and added words in <ins>; changes split only
    by spaces read as one ("<del>bên bờ sông Lam</del><ins>trung tâm của vùng</ins>", not word
    by word in turn)."""
    a, b = _WORD.findall(before), _WORD.findall(after)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    runs: list[tuple[bool, str, str]] = []  # (equal?, old text, new text)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        runs.append((op == "equal", "".join(a[i1:i2]), "".join(b[j1:j2])))
    merged: list[tuple[bool, str, str]] = []
    for k, (equal, old, new) in enumerate(runs):
        gap = equal and not old.strip() and 0 < k < len(runs) - 1 and not runs[k + 1][0]
        if merged and not merged[-1][0] and (not equal or gap):
            _, old0, new0 = merged[-1]
            merged[-1] = (False, old0 + old, new0 + new)
        else:
            merged.append((equal, old, new))
    parts: list[str] = []
    for equal, old, new in merged:
        if equal:
            parts.append(escape(new))
            continue
        if old:
            parts.append(f"<del>{escape(old)}</del>")
        if new:
            parts.append(f"<ins>{escape(new)}</ins>")
    return "".join(parts)


def _wrap(tag: str, inner: str, kind: str = "") -> str:
    css = f' class="md-{kind}"' if kind else ""
    if tag == "li":
        return f'<p class="md-li{" md-" + kind if kind else ""}">• {inner}</p>'
    if tag == "tr":
        return f'<p class="md-tr{" md-" + kind if kind else ""}">{inner}</p>'
    return f"<{tag}{css}>{inner}</{tag}>"


def _alike(before: str, after: str) -> bool:
    """Whether two versions of a block share enough words to be compared word by word."""
    matcher = difflib.SequenceMatcher(
        None, _WORD.findall(before), _WORD.findall(after), autojunk=False
    )
    return matcher.ratio() >= 0.4


@dataclass(frozen=True)
class RenderedDiff:
    html: SafeString  # every block of the newer text, changes marked <del>/<ins>
    changed: int  # blocks changed, added or removed


def rendered_diff(before: str, after: str) -> RenderedDiff:
    """The newer Markdown text rendered, with what changed since ``before`` marked in it."""
    old, new = blocks(before), blocks(after)
    matcher = difflib.SequenceMatcher(
        None, [(b.tag, b.text) for b in old], [(b.tag, b.text) for b in new], autojunk=False
    )
    parts: list[str] = []
    changed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.extend(_wrap(b.tag, b.html) for b in new[j1:j2])
            continue
        removed, added = old[i1:i2], new[j1:j2]
        for k in range(max(len(removed), len(added))):
            changed += 1
            one = removed[k] if k < len(removed) else None
            other = added[k] if k < len(added) else None
            if one and other and _alike(one.text, other.text):
                parts.append(_wrap(other.tag, _words_diff(one.text, other.text)))
                continue
            # A block rewritten from scratch reads better whole, old then new, than word soup.
            if one:
                parts.append(_wrap(one.tag, f"<del>{escape(one.text)}</del>", "del"))
            if other:
                parts.append(_wrap(other.tag, f"<ins>{escape(other.text)}</ins>", "ins"))
    # Every piece above is either sanitised by nh3 or escaped here.
    return RenderedDiff(mark_safe("\n".join(parts)), changed)  # noqa: S308
