"""Article text: Markdown to sanitized HTML for readers, and plain text for search and snippets."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

from zabota.conversations.content import sanitize_html

# CommonMark plus tables; raw HTML in the Markdown is escaped, never passed through.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|td|th|tr|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)


def render_markdown(source: str) -> str:
    """Reader-facing HTML: rendered by markdown-it, then cleaned by nh3 like any untrusted HTML."""
    return sanitize_html(_markdown.render(source)) or ""


def plain_text(body_html: str) -> str:
    """Text without markup; one line per paragraph, list item or heading."""
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", body_html)
    text = html.unescape(nh3.clean(marked, tags=set()))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
