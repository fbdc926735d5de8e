"""Making customer-supplied content safe to store and show."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "i", "li", "ol", "p", "pre", "s", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul", "img", "hr",
    "h1", "h2", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"}}
PREVIEW_LENGTH = 160


def sanitize_html(html: str | None) -> str | None:
    """Strip scripts, event handlers, styles and unknown tags; links get rel=noopener."""
    if not html:
        return None
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid"},
        link_rel="noopener noreferrer nofollow",
    )


def text_from_html(html: str) -> str:
    """A plain-text rendering for previews and search when a channel sent only HTML."""
    stripped = nh3.clean(html.replace("<br>", "\n").replace("</p>", "\n"), tags=set())
    return " ".join(stripped.split())


def preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"
