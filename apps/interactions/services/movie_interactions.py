"""Writes of a user's interactions with a movie, and the movie aggregates they drive.

Concurrency: every write first locks the writing user's row (``SELECT ... FOR NO KEY
UPDATE``; SQLite's IMMEDIATE transactions serialise writers instead), then reads the movie
without a lock, reads and changes the user's rows and, when counted rows changed, appends a
note for the counters (services.counters), all in one short transaction. So one user's writes
run one at a time (a like and an unlike of one user racing both succeed, in some order, and a
like and a dislike can never both stand), while different users' writes, even to one hot
movie, never wait on each other: the movie's counters are set from the rows by a background
fold shortly after commit, not updated under the movie's row lock by every write. Each write
locks exactly one row, so no deadlock is possible between these services. The unique (user,
movie, type) constraint remains the last line of defence against duplicates.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.catalog.models import Movie
from apps.catalog.ratings import mean_rating
from apps.core.exceptions import NotFound
from apps.interactions.models import Interaction, InteractionSource, InteractionType
from apps.interactions.services.counters import counters_note
from apps.interactions.services.effects import (
    ADDED,
    REMOVED,
    UPDATED,
    interaction_effects_on_commit,
)

# What the writes read of the movie (the counters answer the write).
AGGREGATE_FIELDS = (
    "id",
    "like_count",
    "dislike_count",
    "view_count",
    "rating_count",
    "rating_sum",
    "our_rating",
)

# One user's repeated views (or shares) of a movie within this window count once.
REPEAT_WINDOW = timedelta(minutes=30)

_COUNTERS = {InteractionType.LIKE: "like_count", InteractionType.DISLIKE: "dislike_count"}
_EXCLUDES = {
    InteractionType.LIKE: InteractionType.DISLIKE,
    InteractionType.DISLIKE: InteractionType.LIKE,
}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


@dataclass(frozen=True)
class InteractionOutcome:
    """The movie as of the write (aggregates included) and what changed, if anything."""

    movie: Movie
    action: str | None

    @property
    def created(self) -> bool:
        return self.action == ADDED


def movie_for_write(*, user, movie_id: int) -> Movie:
    """Begin a write of ``user`` on a movie: lock the user's row for the rest of the
    transaction (their other writes wait, nobody else's do), then the active movie with its
    counters as last folded; NotFound otherwise. Call inside a transaction."""
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).values_list(
        "pk", flat=True
    ).first()
    movie = Movie.objects.filter(pk=movie_id, is_active=True).only(*AGGREGATE_FIELDS).first()
    if movie is None:
        raise NotFound("Movie not found.", code="movie_not_found")
    return movie


def _counters_changed(movie: Movie, deltas: dict[str, int | Decimal]) -> None:
    """Note that the movie's counted rows changed (the counters follow once folded) and show
    the change on ``movie`` (never below zero), so the answer includes it."""
    counters_note(movie_id=movie.pk)
    for field, delta in deltas.items():
        setattr(movie, field, max(getattr(movie, field) + delta, 0))


def _row(*, user, movie: Movie, interaction_type: str) -> Interaction | None:
    return Interaction.objects.filter(
        user=user, movie=movie, interaction_type=interaction_type
    ).first()


def _effects(*, user, movie, interaction_type, action, source, metadata=None):
    # The movie's cached details are dropped by the counters' fold when counts changed.
    interaction_effects_on_commit(
        user_id=user.pk,
        movie_id=movie.pk,
        interaction_type=interaction_type,
        action=action,
        source=source,
        metadata=metadata,
    )


def _counted_change(
    *, user, movie: Movie, interaction_type: str, action: str, delta: int, source: str
) -> None:
    """Move the movie's counter for this type by ``delta`` (if it has one), then queue the
    after-commit effects of the change."""
    counter = _COUNTERS.get(interaction_type)
    if counter:
        _counters_changed(movie, {counter: delta})
    _effects(
        user=user,
        movie=movie,
        interaction_type=interaction_type,
        action=action,
        source=source,
    )


def _membership_remove(*, user, movie: Movie, interaction_type: str, source: str) -> bool:
    """Delete the user's row of this type, if any, and its counter. True if one existed."""
    deleted, _ = Interaction.objects.filter(
        user=user, movie=movie, interaction_type=interaction_type
    ).delete()
    if not deleted:
        return False
    _counted_change(
        user=user,
        movie=movie,
        interaction_type=interaction_type,
        action=REMOVED,
        delta=-1,
        source=source,
    )
    return True


@transaction.atomic
def membership_add(
    *,
    user,
    movie_id: int,
    interaction_type: str,
    source: str = InteractionSource.WEB,
) -> InteractionOutcome:
    """Mark a movie as watchlisted, liked or disliked (idempotent).

    Liking removes the user's dislike and disliking removes the like; the counters follow.
    """
    movie = movie_for_write(user=user, movie_id=movie_id)
    excluded = _EXCLUDES.get(interaction_type)
    if excluded:
        _membership_remove(user=user, movie=movie, interaction_type=excluded, source=source)
    if _row(user=user, movie=movie, interaction_type=interaction_type) is not None:
        return InteractionOutcome(movie=movie, action=None)
    Interaction.objects.create(
        user=user, movie=movie, interaction_type=interaction_type, source=source
    )
    _counted_change(
        user=user,
        movie=movie,
        interaction_type=interaction_type,
        action=ADDED,
        delta=1,
        source=source,
    )
    return InteractionOutcome(movie=movie, action=ADDED)


@transaction.atomic
def membership_remove(
    *,
    user,
    movie_id: int,
    interaction_type: str,
    source: str = InteractionSource.WEB,
) -> InteractionOutcome:
    """Remove a favorite, watchlist entry, like or dislike; removing nothing is not an error."""
    movie = movie_for_write(user=user, movie_id=movie_id)
    removed = _membership_remove(
        user=user, movie=movie, interaction_type=interaction_type, source=source
    )
    return InteractionOutcome(movie=movie, action=REMOVED if removed else None)


def watchlist_add(*, user, movie_id: int, **options) -> InteractionOutcome:
    return membership_add(
        user=user, movie_id=movie_id, interaction_type=InteractionType.WATCHLIST, **options
    )


def like_add(*, user, movie_id: int, **options) -> InteractionOutcome:
    return membership_add(
        user=user, movie_id=movie_id, interaction_type=InteractionType.LIKE, **options
    )


def dislike_add(*, user, movie_id: int, **options) -> InteractionOutcome:
    return membership_add(
        user=user, movie_id=movie_id, interaction_type=InteractionType.DISLIKE, **options
    )


@transaction.atomic
def favorite_add(
    *,
    user,
    movie_id: int,
    notes: str | _Unset = UNSET,
    user_rating: Decimal | _Unset | None = UNSET,
    source: str = InteractionSource.WEB,
) -> InteractionOutcome:
    """Favorite a movie with optional notes and the user's own rating of it (idempotent).

    On an existing favorite, the fields given replace the stored ones and the others stay.
    The favorite's rating is the user's note to self; the public average counts rating rows.
    """
    movie = movie_for_write(user=user, movie_id=movie_id)
    row = _row(user=user, movie=movie, interaction_type=InteractionType.FAVORITE)
    changes = {}
    if not isinstance(notes, _Unset):
        changes["notes"] = notes
    if not isinstance(user_rating, _Unset):
        changes["rating"] = user_rating
    if row is None:
        Interaction.objects.create(
            user=user,
            movie=movie,
            interaction_type=InteractionType.FAVORITE,
            source=source,
            **changes,
        )
        action = ADDED
    else:
        changes = {field: value for field, value in changes.items() if getattr(row, field) != value}
        if not changes:
            return InteractionOutcome(movie=movie, action=None)
        for field, value in changes.items():
            setattr(row, field, value)
        row.timestamp = timezone.now()
        row.save(update_fields=[*changes, "timestamp"])
        action = UPDATED
    _effects(
        user=user,
        movie=movie,
        interaction_type=InteractionType.FAVORITE,
        action=action,
        source=source,
    )
    return InteractionOutcome(movie=movie, action=action)


def _rating_aggregates_apply(movie: Movie, *, count_delta: int, sum_delta: Decimal) -> None:
    _counters_changed(movie, {"rating_count": count_delta, "rating_sum": sum_delta})
    movie.our_rating = mean_rating(movie.rating_sum, movie.rating_count)


@transaction.atomic
def rating_set(
    *,
    user,
    movie_id: int,
    value: Decimal,
    source: str = InteractionSource.WEB,
) -> InteractionOutcome:
    """Set or change the user's rating (0.5 to 5.0 in half steps) and the movie's average."""
    movie = movie_for_write(user=user, movie_id=movie_id)
    row = _row(user=user, movie=movie, interaction_type=InteractionType.RATING)
    if row is None:
        Interaction.objects.create(
            user=user,
            movie=movie,
            interaction_type=InteractionType.RATING,
            rating=value,
            source=source,
        )
        _rating_aggregates_apply(movie, count_delta=1, sum_delta=value)
        action = ADDED
    elif row.rating == value:
        return InteractionOutcome(movie=movie, action=None)
    else:
        previous = row.rating or Decimal(0)
        row.rating = value
        row.timestamp = timezone.now()
        row.save(update_fields=["rating", "timestamp"])
        _rating_aggregates_apply(movie, count_delta=0, sum_delta=value - previous)
        action = UPDATED
    _effects(
        user=user,
        movie=movie,
        interaction_type=InteractionType.RATING,
        action=action,
        source=source,
        metadata={"rating": str(value)},  # analytics: the day's average rating per movie
    )
    return InteractionOutcome(movie=movie, action=action)


@transaction.atomic
def rating_remove(
    *, user, movie_id: int, source: str = InteractionSource.WEB
) -> InteractionOutcome:
    """Remove the user's rating, if any, and take it out of the movie's average."""
    movie = movie_for_write(user=user, movie_id=movie_id)
    row = _row(user=user, movie=movie, interaction_type=InteractionType.RATING)
    if row is None:
        return InteractionOutcome(movie=movie, action=None)
    row.delete()
    _rating_aggregates_apply(movie, count_delta=-1, sum_delta=-(row.rating or Decimal(0)))
    _effects(
        user=user,
        movie=movie,
        interaction_type=InteractionType.RATING,
        action=REMOVED,
        source=source,
    )
    return InteractionOutcome(movie=movie, action=REMOVED)


def _repeat_record(
    *, user, movie_id: int, interaction_type: str, counter: str | None, source: str
) -> InteractionOutcome:
    movie = movie_for_write(user=user, movie_id=movie_id)
    row = _row(user=user, movie=movie, interaction_type=interaction_type)
    now = timezone.now()
    if row is None:
        Interaction.objects.create(
            user=user, movie=movie, interaction_type=interaction_type, source=source, timestamp=now
        )
        action = ADDED
    elif now - row.timestamp >= REPEAT_WINDOW:
        Interaction.objects.filter(pk=row.pk).update(count=F("count") + 1, timestamp=now)
        action = UPDATED
    else:
        return InteractionOutcome(movie=movie, action=None)
    if counter:
        _counters_changed(movie, {counter: 1})
    _effects(
        user=user,
        movie=movie,
        interaction_type=interaction_type,
        action=action,
        source=source,
    )
    return InteractionOutcome(movie=movie, action=action)


@transaction.atomic
def view_record(*, user, movie_id: int, source: str = InteractionSource.WEB) -> InteractionOutcome:
    """Count a view; one user's views within REPEAT_WINDOW of the last counted one count once."""
    return _repeat_record(
        user=user,
        movie_id=movie_id,
        interaction_type=InteractionType.VIEW,
        counter="view_count",
        source=source,
    )


@transaction.atomic
def share_record(*, user, movie_id: int, source: str = InteractionSource.WEB) -> InteractionOutcome:
    """Record a share; a retried or repeated share within REPEAT_WINDOW counts once."""
    return _repeat_record(
        user=user,
        movie_id=movie_id,
        interaction_type=InteractionType.SHARE,
        counter=None,
        source=source,
    )
