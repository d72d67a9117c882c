"""Search that forgives typos: full-text rank blended with trigram similarity on PostgreSQL.

PostgreSQL: a row matches when its English full-text vector matches the query, or when the
query is close to a word run of the text by trigrams (``q <% text``, served by the GIN trigram
index). Rows are ranked by ts_rank + word similarity + whole-string similarity, so "matrix" puts
The Matrix before The Matrix Reloaded (same rank and word similarity, higher whole similarity)
and "godfahter" still reaches The Godfather. Other databases: case-insensitive containment,
shorter (closer) names first.
"""

from contextlib import contextmanager

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import Expression, F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Length, Ln

# pg_trgm's default word threshold (0.6) misses one-letter swaps in short words ("godfahter"
# scores 0.5 against "godfather"); 0.4 keeps typos and still drops unrelated titles.
WORD_SIMILARITY_THRESHOLD = 0.4
MAX_QUERY_LENGTH = 200
# Weight of ln(1 + number of ratings) in a movie's search score: 0.28 for 300 ratings, enough
# to order "star wars" sequels by fame, too little to beat a closer title.
POPULARITY_BOOST = 0.05


def movie_popularity_boost() -> Expression:
    return Ln(Value(1.0) + F("rating_count")) * Value(POPULARITY_BOOST)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def search_session():
    """A transaction in which the trigram threshold of this module applies (PostgreSQL)."""
    with transaction.atomic():
        if is_postgres():
            # The planner prices the trigram operators as cheap and picks a sequential scan
            # on small tables, which then computes word_similarity for every row (ten times
            # slower than the GIN index here); within this transaction, prefer the indexes.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
                    "set_config('enable_seqscan', 'off', true)",
                    [str(WORD_SIMILARITY_THRESHOLD)],
                )
        yield


def text_search(
    queryset: QuerySet, *, field: str, q: str, tiebreak: list, boost: Expression | None = None
) -> QuerySet:
    """``queryset`` narrowed to rows whose ``field`` matches ``q``, best match first.

    ``boost`` (PostgreSQL) is added to the text score: a small popularity term, so among
    equally close titles the one people know comes first. On PostgreSQL, call it inside
    ``search_session()`` so the typo threshold and the index preference apply.
    """
    q = q.strip()
    if not is_postgres():
        return queryset.filter(**{f"{field}__icontains": q}).order_by(Length(field), *tiebreak)
    vector = SearchVector(field, config="english")
    query = SearchQuery(q, config="english", search_type="websearch")
    return (
        queryset.alias(search_vector=vector)
        .annotate(
            search_rank=Coalesce(SearchRank(vector, query), Value(0.0), output_field=FloatField()),
            search_word_similarity=TrigramWordSimilarity(q, field),
            search_similarity=TrigramSimilarity(field, q),
        )
        .annotate(
            search_score=F("search_rank")
            + F("search_word_similarity")
            + F("search_similarity")
            + (boost if boost is not None else Value(0.0))
        )
        .filter(Q(search_vector=query) | Q(**{f"{field}__trigram_word_similar": q}))
        .order_by("-search_score", *tiebreak)
    )
