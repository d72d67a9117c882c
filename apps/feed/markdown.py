"""News bodies as safe HTML: Markdown (CommonMark, raw HTML off) or plain text, then sanitized.

Two layers: markdown-it renders with ``html`` off, so raw HTML in the body is escaped as text
and link targets with a ``javascript:``/``vbscript:``/``data:`` scheme are refused; nh3
(Ammonia) then keeps only a safelist of tags and attributes, forces ``rel="noopener
noreferrer nofollow"`` on links and allows only http, https and mailto URLs. An editor's body
cannot put a script, an event handler or a style on the page.
"""

import html

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "img", "li", "ol", "p",
    "pre", "strong", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def sanitize(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def body_to_html(body: str, body_format: str) -> str:
    """``body`` as sanitized HTML: Markdown rendered, plain text as escaped paragraphs."""
    if not body:
        return ""
    if body_format == "plain":
        paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
        rendered = "".join(
            "<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs
        )
    else:
        rendered = _markdown.render(body)
    return sanitize(rendered).strip()
