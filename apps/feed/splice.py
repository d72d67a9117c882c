"""Rendered answers with holes: a logged-in user's home page made by joining bytes.

The shared home page (what an anonymous visitor gets) is the same for every user but for what
is theirs: each movie card's ``in_watchlist``, and the items of the sections a user may have
their own of (``top_picks``, ``streaming``). So the shared page is rendered once per process
(per version of its cached bytes) with a marker in each of those places, and the bytes are
split at the markers into a ``Template``. A user's page is the pieces joined with ``true`` or
``false`` for each movie and with the user's own item lists (templates too): no parsing and no
rendering of the shared cards on a logged-in request.

Why a marker cannot be forged by content: a marker is found only as ``"in_watchlist":"@@...@@"``
or ``"items":"@@...@@"``, quotes included. Inside a JSON string every quote is escaped, so text
in a title, an overview or an article cannot contain that sequence. Every template is checked
anyway: the holes found must be exactly those marked, in order, or ``TemplateMismatch`` is
raised (apps.feed.personal then makes the page the slow way).
"""

import re
from dataclasses import dataclass

from apps.core.envelope import success_body
from apps.core.renderers import EnvelopeJSONRenderer

_FLAG_MARK = "@@nexus-feed:in_watchlist@@"
_ITEMS_MARK = "@@nexus-feed:items:{}@@"
_HOLES = re.compile(
    rb'"in_watchlist":"@@nexus-feed:in_watchlist@@"|"items":"@@nexus-feed:items:([a-z_]+)@@"'
)
_TRUE = b'"in_watchlist":true'
_FALSE = b'"in_watchlist":false'
_ITEMS = b'"items":'


class TemplateMismatch(ValueError):
    """The rendered bytes did not hold the marked holes in the marked order."""


@dataclass(frozen=True)
class Template:
    """Bytes with holes: ``pieces`` has one more element than ``holes``; a hole is a movie id
    (an int: that card's ``in_watchlist``) or a section key (a str: that section's items)."""

    pieces: tuple[bytes, ...]
    holes: tuple[int | str, ...]

    def movie_ids(self) -> set[int]:
        return {hole for hole in self.holes if isinstance(hole, int)}

    def fill(self, watchlisted: set[int], items: dict[str, "Template"] | None = None) -> bytes:
        """The bytes with each flag hole ``true`` when its movie is in ``watchlisted`` (else
        ``false``) and each items hole filled by ``items[key]`` (filled the same way)."""
        out = [self.pieces[0]]
        for hole, piece in zip(self.holes, self.pieces[1:], strict=True):
            if isinstance(hole, int):
                out.append(_TRUE if hole in watchlisted else _FALSE)
            else:
                out.append(_ITEMS)
                out.append(items[hole].fill(watchlisted))
            out.append(piece)
        return b"".join(out)


def _render(data) -> bytes:
    return EnvelopeJSONRenderer().render(data, "application/json", {})


def _marked(cards: list[dict], holes: list[int | str]) -> list[dict]:
    """The cards with a marker as every movie card's ``in_watchlist``; the movie ids are
    appended to ``holes`` in the order they will be rendered."""
    marked = []
    for card in cards:
        if card.get("kind") == "movie":
            holes.append(card["id"])
            card = {**card, "in_watchlist": _FLAG_MARK}
        marked.append(card)
    return marked


def _split(body: bytes, holes: list[int | str]) -> Template:
    parts = _HOLES.split(body)
    found = [None if key is None else key.decode() for key in parts[1::2]]
    expected = [None if isinstance(hole, int) else hole for hole in holes]
    if found != expected:
        raise TemplateMismatch(f"{len(found)} holes found where {len(expected)} were marked")
    return Template(pieces=tuple(parts[0::2]), holes=tuple(holes))


def cards_template(cards: list[dict]) -> Template:
    """A JSON list of cards, with a flag hole in each movie card."""
    holes: list[int | str] = []
    return _split(_render(_marked(cards, holes)), holes)


def page_template(data: dict, personal_keys: tuple[str, ...]) -> tuple[Template, dict]:
    """The success envelope of a home page's ``data`` with a flag hole in each movie card and
    an items hole in each section of ``personal_keys``; and those sections' own items as
    templates (what fills their holes for a user who has no items of their own)."""
    holes: list[int | str] = []
    defaults: dict[str, Template] = {}
    sections = []
    for section in data["sections"]:
        key = section["key"]
        if key in personal_keys:
            defaults[key] = cards_template(section["items"])
            holes.append(key)
            sections.append({**section, "items": _ITEMS_MARK.format(key)})
        else:
            sections.append({**section, "items": _marked(section["items"], holes)})
    missing = set(personal_keys) - set(defaults)
    if missing:
        raise TemplateMismatch(f"no section {', '.join(sorted(missing))} in the page")
    body = _render(success_body({**data, "sections": sections}))
    return _split(body, holes), defaults
