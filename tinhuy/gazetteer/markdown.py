"""Markdown to safe HTML for gazetteer entries: markdown-it-py renders, nh3 sanitises.

Raw HTML in the source is not rendered at all (``html=False``), and the output goes through an
allow-list: no <script>, no event-handler attributes, no iframes, links only to http(s), mailto
and relative URLs.
"""

from __future__ import annotations

import html

import nh3
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
    html = _md.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(source: str) -> str:
    """The text of a Markdown body without markup, for the search index."""
    return html.unescape(nh3.clean(_md.render(source), tags=set())).strip()
