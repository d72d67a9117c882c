"""The rating rules of a movie, defined once: its mean rating and its Bayesian average.

Both belong to the catalog because the numbers they work on (``rating_count``, ``rating_sum``,
``our_rating``, TMDb's ``tmdb_rating`` and ``tmdb_vote_count``) are Movie fields; the
interactions app keeps the counts in step and calls ``mean_rating``, the rankings and the
recommender's cold start rank with ``bayesian_average``.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, F, Sum, Value, When

from apps.catalog.cache import LIST_TTL, LISTS_NAMESPACE
from apps.catalog.models import Movie
from apps.core.cache import cached

# Phantom votes of the Bayesian average: a movie counts as if it also had this many votes at
# the prior mean.
PRIOR_VOTES = 10
# TMDb's own site-wide average vote (0 to 10), near enough: the prior for TMDb's ratings.
TMDB_PRIOR_MEAN = 6.0
# The prior for our ratings (0.5 to 5) before anyone has rated anything: TMDb's, on our scale.
EMPTY_PRIOR_MEAN = TMDB_PRIOR_MEAN / 2


def mean_rating(rating_sum: Decimal | int, rating_count: int) -> Decimal | None:
    """``our_rating``: the mean of a movie's ratings, rounded half up to one decimal (4.25 is
    4.3), or None without ratings. Every writer of ``our_rating`` sets it with this."""
    if rating_count <= 0:
        return None
    return (Decimal(rating_sum) / rating_count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def movie_rating_out_of_ten() -> Case:
    """A movie's rating on TMDb's 0 to 10 scale, what ``rating_min`` filters on: TMDb's vote
    average when TMDb has votes for it, else our users' mean (0.5 to 5) doubled when they
    rated it (MovieLens imports have no TMDb rating), else whatever TMDb's column holds."""
    return Case(
        When(tmdb_rating__isnull=False, tmdb_vote_count__gt=0, then=F("tmdb_rating")),
        When(our_rating__isnull=False, then=F("our_rating") * Value(Decimal(2))),
        default=F("tmdb_rating"),
        output_field=DecimalField(max_digits=4, decimal_places=1),
    )


def bayesian_average(total, votes, *, prior_mean, prior_votes=PRIOR_VOTES):
    """The mean of ``votes`` ratings summing to ``total``, shrunk toward ``prior_mean`` as if
    there were ``prior_votes`` more ratings at that mean: one 5-star rating does not outrank a
    4.3 from two hundred people, and a well-rated movie rises as its votes accumulate.

    The prior is the site-wide mean of the same ratings (``rating_prior_mean`` for ours,
    TMDB_PRIOR_MEAN for TMDb's) with 10 phantom votes, IMDb's weighted rating: a movie with
    few votes counts as typical of this catalog, not as average on a fixed guess. (The
    recommender used 3.25 and 20 votes before; 3.25 sits below what MovieLens users give on
    average, so it punished every little-rated movie, and 20 votes made the cold-start lists
    slow to notice new ratings.)

    Works on numbers and on query expressions alike (``Cast(F("rating_sum"), FloatField())``
    and the like), so rankings computed in the database and in Python are the same formula.
    """
    return (prior_votes * prior_mean + total) / (prior_votes + votes)


def _rating_prior_mean_compute() -> float | None:
    totals = Movie.objects.filter(is_active=True, rating_count__gt=0).aggregate(
        votes=Sum("rating_count"), points=Sum("rating_sum")
    )
    if not totals["votes"]:
        return None
    return float(totals["points"]) / float(totals["votes"])


def rating_prior_mean() -> float | None:
    """The mean of all our ratings of active movies (0.5 to 5), the prior of
    ``bayesian_average`` for them; None while nobody has rated (EMPTY_PRIOR_MEAN stands in
    where a prior is needed anyway). One query, cached with the lists (an hour, dropped with
    them by imports and syncs): one more rating barely moves it."""
    return cached(LISTS_NAMESPACE, ("rating_prior_mean",), LIST_TTL, _rating_prior_mean_compute)
