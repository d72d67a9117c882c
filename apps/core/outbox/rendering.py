"""Rendering a message's parts with Django's template engine.

The text part and the subject are rendered with autoescaping off: they are not HTML, and an
escaped ``&`` (``&amp;``) breaks every link with a query string in a plain-text email. The HTML
part is escaped as usual.
"""

from functools import lru_cache

from django.template import Context, Engine, Template
from django.template.loader import get_template

_STRING_ENGINE = Engine(builtins=[], libraries={}, autoescape=True)


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    """A template source compiled once per process (a digest run renders the same few
    sources for every user); compiled templates are safe to render from many threads."""
    return Template(source, engine=_STRING_ENGINE)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def parts_from_strings(
    *, subject: str, text: str, html: str, context: dict
) -> tuple[str, str, str]:
    """Render template sources (rows editors change in the admin) into subject, text, HTML."""
    plain = Context(context, autoescape=False)
    escaped = Context(context, autoescape=True)
    return (
        _one_line(_compiled(subject).render(plain)),
        _compiled(text).render(plain),
        _compiled(html).render(escaped) if html else "",
    )


def parts_from_files(*, base: str, context: dict) -> tuple[str, str, str]:
    """Render ``<base>_subject.txt``, ``<base>_body.txt`` and ``<base>_body.html`` from the
    template directories."""

    def render(name: str, autoescape: bool) -> str:
        template = get_template(name).template  # the engine's Template, to choose escaping
        return template.render(Context(context, autoescape=autoescape))

    return (
        _one_line(render(f"{base}_subject.txt", autoescape=False)),
        render(f"{base}_body.txt", autoescape=False),
        render(f"{base}_body.html", autoescape=True),
    )
