"""What a logged-in user's home page adds to the shared one: their own top picks (their
recommendations, with the reasons), the streaming offers of their country and, on every movie
card, whether it is in their watchlist.

The page is sent as bytes cached per user (``home_page_slot``, served by apps.core.fastpath's
logged-in fast path on a hit): valid while the shared page, the user's recommendation lists,
the active models, the running experiments and the user's own page namespace (dropped when
their watchlist or profile changes, apps.feed.receivers) are the versions it was made from,
all read with the entry and the token's checks in one cache round trip. On a miss it is made
(``home_page_made``) by filling the shared page's template (apps.feed.splice) with the user's
parts, not by parsing and rendering the shared page again. Either way the recommendation
impressions are counted (``Impressions``, stored beside the bytes), as me/recommendations/
counts them.
"""

import json
import logging
import threading
from dataclasses import dataclass

from django.conf import settings

from apps.accounts.models import Profile
from apps.catalog.cache import LISTS_NAMESPACE
from apps.core.cache import cached, versioned_get, versioned_set
from apps.core.envelope import success_body
from apps.core.fastpath import UserSlot
from apps.core.logging import log_once
from apps.core.renderers import EnvelopeJSONRenderer
from apps.feed import selectors
from apps.feed.cache import FEED_TTL, home_slot, today_key, user_page_namespace
from apps.feed.sections import HOME_ITEMS, SectionContext, streaming
from apps.feed.splice import Template, TemplateMismatch, cards_template, page_template
from apps.interactions.selectors import watchlisted_movie_ids
from apps.recommendations import services as recommendations
from apps.recommendations.experiments import EXPERIMENTS_NAMESPACE, Arm, arm_for
from apps.recommendations.registry import ACTIVE_NAMESPACE
from apps.recommendations.serializers import RecommendationItemSerializer

logger = logging.getLogger(__name__)

# The sections a user may have their own items of.
PERSONAL_KEYS = ("top_picks", "streaming")


@dataclass(frozen=True)
class Impressions:
    """The recommendations a page shows, and the engine and experiment arm they were served
    under: counted on every read of the page, cached or not."""

    engine: str
    arm: Arm | None
    movie_ids: tuple[int, ...]

    def record(self, user_id: int) -> None:
        recommendations.impressions_record(
            user_id=user_id,
            engine=self.engine,
            arm=self.arm,
            count=len(self.movie_ids),
            movie_ids=list(self.movie_ids),
        )


@dataclass(frozen=True)
class TopPicks:
    """A user's default recommendation list as served (rows as RecommendationItemSerializer
    gives them), with what its impressions are counted under."""

    rows: list[dict]
    impressions: Impressions


def top_picks_served(*, user, limit: int) -> TopPicks:
    """The user's default recommendation list (at most ``limit``), served and cached as
    me/recommendations/ serves it: valid while the user's lists, the active models and the
    running experiments are unchanged (one cache round trip for all of them)."""
    arm = arm_for(user_id=user.id)

    def produce() -> list:
        rows, _, _ = recommendations.recommendations_served(user=user, engine=None, limit=limit)
        return list(RecommendationItemSerializer(rows, many=True).data)

    rows = cached(
        recommendations.user_namespace(user.id),
        ("feed_top_picks", limit),
        recommendations.USER_RECS_TTL,
        produce,
        depends_on=(ACTIVE_NAMESPACE, EXPERIMENTS_NAMESPACE),
    )
    movie_ids = tuple(row["movie"]["id"] for row in rows)
    engine = recommendations.default_engine(arm)
    return TopPicks(rows=rows, impressions=Impressions(engine=engine, arm=arm, movie_ids=movie_ids))


def recommendation_rows(*, user, limit: int) -> list[dict]:
    """The user's default recommendation list (at most ``limit``); the items shown are
    counted as impressions, as me/recommendations/ counts them."""
    picks = top_picks_served(user=user, limit=limit)
    picks.impressions.record(user.id)
    return picks.rows


def _rating(movie: dict) -> float | None:
    if movie.get("tmdb_rating") is not None:
        return float(movie["tmdb_rating"])
    if movie.get("our_rating") is not None:
        return float(movie["our_rating"]) * 2
    return None


def top_pick_cards(*, user, limit: int) -> list[dict]:
    """The user's recommendations as cards, each with its recommendation id and reason (the
    impressions counted)."""
    return pick_cards(recommendation_rows(user=user, limit=limit))


def pick_cards(rows: list[dict]) -> list[dict]:
    """Recommendation rows as cards, each with its recommendation id and reason."""
    return [
        {
            "id": row["movie"]["id"],
            "kind": "movie",
            "title": row["movie"]["title"],
            "image_url": row["movie"]["poster_url"],
            "backdrop_url": None,
            "year": row["movie"]["release_year"],
            "rating": _rating(row["movie"]),
            "in_watchlist": None,
            "recommendation_id": row["id"],
            "reason": row["reason"],
        }
        for row in rows
    ]


def watchlist_flagged(*, user, card_lists: list[list[dict]]) -> list[list[dict]]:
    """Copies of the card lists whose movie cards say whether the user has the movie in their
    watchlist (one query for all of them); other cards are unchanged."""
    movie_ids = {card["id"] for cards in card_lists for card in cards if card["kind"] == "movie"}
    listed = watchlisted_movie_ids(user=user, movie_ids=movie_ids)
    return [
        [
            {**card, "in_watchlist": card["id"] in listed} if card["kind"] == "movie" else card
            for card in cards
        ]
        for cards in card_lists
    ]


def user_country(*, user) -> str | None:
    """The user's profile country as an ISO code, when it is one other than the site's
    (FEED_STREAMING_COUNTRY); None otherwise. Profiles hold free text: "fr" counts,
    "France" does not."""
    country = (
        Profile.objects.filter(user_id=user.id).values_list("country", flat=True).first() or ""
    ).strip()
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        return None
    country = country.upper()
    return None if country == settings.FEED_STREAMING_COUNTRY else country


def streaming_for(*, country: str, limit: int) -> list[dict]:
    """The streaming section of another country than the site's, cached like the page."""
    return cached(
        LISTS_NAMESPACE,
        ("feed_streaming", country, limit, today_key()),
        FEED_TTL,
        lambda: streaming(SectionContext(country=country), limit),
    )


def home_personal(
    *, user, shared: dict, picks: list[dict], country_streaming: list[dict] | None
) -> dict:
    """The shared home page's data with the user's top picks (when they have any), the
    streaming offers of their country (when it is not the site's) and their watchlist flags:
    the slow way, parsed and rendered again (what ``home_page`` does when a template does not
    fit, and what the tests compare its bytes with)."""
    sections = shared["sections"]
    items = []
    for section in sections:
        if section["key"] == "top_picks" and picks:
            items.append(picks)
        elif section["key"] == "streaming" and country_streaming is not None:
            items.append(country_streaming)
        else:
            items.append(section["items"])
    flagged = watchlist_flagged(user=user, card_lists=items)
    return {
        "sections": [
            {**section, "items": cards} for section, cards in zip(sections, flagged, strict=True)
        ]
    }


def _render(data) -> bytes:
    return EnvelopeJSONRenderer().render(data, "application/json", {})


def shared_page_body() -> bytes:
    """The anonymous home page's bytes as cached (the process's local copy is not used: a
    user's page cached under the shared page's version must hold that version's bytes), made
    and stored on a miss as the anonymous path stores them."""
    slot = home_slot()
    body, version = versioned_get(slot.namespace, slot.parts)
    if not isinstance(body, bytes):
        body = _render(success_body(selectors.home_shared()))
        versioned_set(slot.namespace, slot.parts, body, slot.ttl, version)
    return body


class _SharedTemplate:
    """This process's template of the shared page, for the last bytes it was made from."""

    def __init__(self) -> None:
        self._last: tuple[bytes, Template, dict[str, Template]] | None = None
        self._lock = threading.Lock()

    def of(self, body: bytes) -> tuple[Template, dict[str, Template]]:
        last = self._last
        if last is not None and last[0] == body:
            return last[1], last[2]
        template, defaults = page_template(json.loads(body)["data"], PERSONAL_KEYS)
        with self._lock:
            self._last = (body, template, defaults)
        return template, defaults


shared_template = _SharedTemplate()


def home_page_made(*, user, top_limit: int = HOME_ITEMS) -> tuple[bytes, Impressions]:
    """A user's page: the shared template filled with their own parts and flags (one query
    for the flags, one for the profile's country), or made the slow way if it does not fit."""
    picks = top_picks_served(user=user, limit=top_limit)
    cards = pick_cards(picks.rows)
    country = user_country(user=user)
    country_streaming = streaming_for(country=country, limit=HOME_ITEMS) if country else None
    body = shared_page_body()
    try:
        template, defaults = shared_template.of(body)
        own = {
            "top_picks": cards_template(cards) if cards else defaults["top_picks"],
            "streaming": (
                defaults["streaming"]
                if country_streaming is None
                else cards_template(country_streaming)
            ),
        }
        movie_ids = template.movie_ids().union(*(part.movie_ids() for part in own.values()))
        page = template.fill(watchlisted_movie_ids(user=user, movie_ids=movie_ids), own)
    except (TemplateMismatch, KeyError) as exc:
        log_once(logger, "feed_template_mismatch", "feed_template_mismatch", error=str(exc))
        data = home_personal(
            user=user,
            shared=json.loads(body)["data"],
            picks=cards,
            country_streaming=country_streaming,
        )
        page = _render(success_body(data))
    return page, picks.impressions


def home_page_slot(user_id: int, top_limit: int = HOME_ITEMS) -> UserSlot:
    """Where a user's page is cached: their own page namespace (their watchlist and profile
    drop it), valid while the shared page's, their recommendations', the active models' and
    the running experiments' versions are those it was made from."""
    return UserSlot(
        user_page_namespace(user_id),
        ("home", today_key(), top_limit),
        FEED_TTL,
        depends_on=(
            LISTS_NAMESPACE,
            recommendations.user_namespace(user_id),
            ACTIVE_NAMESPACE,
            EXPERIMENTS_NAMESPACE,
        ),
    )
