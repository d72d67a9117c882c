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
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Length

# pg_trgm's default word threshold (0.6) misses one-letter swaps in short words ("godfahter"
# scores 0.5 against "godfather"); 0.4 keeps typos and still drops unrelated titles.
WORD_SIMILARITY_THRESHOLD = 0.4
MAX_QUERY_LENGTH = 200


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def search_session():
    """A transaction in which the trigram threshold of this module applies (PostgreSQL)."""
    with transaction.atomic():
        if is_postgres():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                    [str(WORD_SIMILARITY_THRESHOLD)],
                )
        yield


def text_search(queryset: QuerySet, *, field: str, q: str, tiebreak: list) -> QuerySet:
    """``queryset`` narrowed to rows whose ``field`` matches ``q``, best match first.

    On PostgreSQL, call it inside ``search_session()`` so the typo threshold applies.
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
            search_score=F("search_rank") + F("search_word_similarity") + F("search_similarity")
        )
        .filter(Q(search_vector=query) | Q(**{f"{field}__trigram_word_similar": q}))
        .order_by("-search_score", *tiebreak)
    )
