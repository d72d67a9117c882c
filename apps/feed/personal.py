"""What a logged-in user's home page adds to the shared one: their own top picks (their
recommendations, with the reasons) and, on every movie card, whether it is in their
watchlist. The shared sections are reused as they are cached (apps.feed.views); this adds one
cache read (the user's recommendations, cached as me/recommendations/ caches them), one query
for the watchlist flags of the movies on the page, and the impressions counter."""

from django.conf import settings

from apps.accounts.models import Profile
from apps.catalog.cache import LISTS_NAMESPACE
from apps.core.cache import cached
from apps.feed.cache import FEED_TTL, today_key
from apps.feed.sections import HOME_ITEMS, SectionContext, streaming
from apps.interactions.selectors import watchlisted_movie_ids
from apps.recommendations import services as recommendations
from apps.recommendations.experiments import arm_for
from apps.recommendations.serializers import RecommendationItemSerializer


def recommendation_rows(*, user, limit: int) -> list[dict]:
    """The user's default recommendation list (at most ``limit``), as me/recommendations/
    serves and caches it; the items shown are counted as impressions, as there."""
    arm = arm_for(user_id=user.id)

    def produce() -> list:
        rows, _, _ = recommendations.recommendations_served(user=user, engine=None, limit=limit)
        return list(RecommendationItemSerializer(rows, many=True).data)

    data = cached(
        recommendations.user_namespace(user.id),
        recommendations.user_cache_parts(engine=None, limit=limit),
        recommendations.USER_RECS_TTL,
        produce,
    )
    recommendations.impressions_record(
        user_id=user.id, engine=recommendations.default_engine(arm), arm=arm, count=len(data)
    )
    return data


def _rating(movie: dict) -> float | None:
    if movie.get("tmdb_rating") is not None:
        return float(movie["tmdb_rating"])
    if movie.get("our_rating") is not None:
        return float(movie["our_rating"]) * 2
    return None


def top_pick_cards(*, user, limit: int) -> list[dict]:
    """The user's recommendations as cards, each with its recommendation id and reason."""
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
        for row in recommendation_rows(user=user, limit=limit)
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


def home_personal(*, user, shared: dict, top_limit: int) -> dict:
    """The shared home page with the user's top picks (when they have recommendations), the
    streaming offers of their country, and their watchlist flags."""
    sections = shared["sections"]
    picks = top_pick_cards(user=user, limit=top_limit)
    country = user_country(user=user)
    items = []
    for section in sections:
        if section["key"] == "top_picks" and picks:
            items.append(picks)
        elif section["key"] == "streaming" and country:
            items.append(streaming_for(country=country, limit=HOME_ITEMS))
        else:
            items.append(section["items"])
    flagged = watchlist_flagged(user=user, card_lists=items)
    return {
        "sections": [
            {**section, "items": cards} for section, cards in zip(sections, flagged, strict=True)
        ]
    }
