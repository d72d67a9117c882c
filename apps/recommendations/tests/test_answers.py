"""apps/recommendations/answers.py: the bytes of ``me/recommendations/``, made from stored rows."""

import json

import pytest

from apps.accounts.tests.factories import UserFactory
from apps.catalog.models import Movie
from apps.catalog.tests.factories import GenreFactory, MovieFactory
from apps.core.cache import versioned_get
from apps.core.envelope import success_body
from apps.core.renderers import EnvelopeJSONRenderer
from apps.recommendations import answers
from apps.recommendations.models import RecommendationReason, UserRecommendation
from apps.recommendations.selectors import recommendation_list, recommendation_lists
from apps.recommendations.serializers import RecommendationItemSerializer

pytestmark = pytest.mark.django_db


def stored(user, movie, *, rank, score=0.5, reason="Picked for your taste"):
    return UserRecommendation.objects.create(
        user=user,
        movie=movie,
        algorithm="hybrid",
        rank=rank,
        score=score,
        reason=RecommendationReason.objects.get_or_create(text=reason)[0],
    )


def serializer_bytes(user) -> bytes:
    """What RecommendationItemSerializer makes of the user's list, the movies read per row."""
    rows = (
        UserRecommendation.objects.filter(user=user, rank__isnull=False)
        .select_related("movie", "reason")
        .prefetch_related("movie__genres")
        .order_by("rank")
    )
    data = RecommendationItemSerializer(rows, many=True).data
    return EnvelopeJSONRenderer().render(success_body(data), "application/json", {})


def test_the_answer_is_the_item_serializers_bytes(user):
    drama, war = GenreFactory(name="Drama"), GenreFactory(name="War")
    first = MovieFactory(title="Alien", poster_path="/alien.jpg", release_year=1979)
    first.genres.set([drama, war])
    second = MovieFactory(title="Heat", poster_path=None, imdb_id="")
    stored(user, first, rank=1, score=0.875, reason="Because you liked Aliens")
    stored(user, second, rank=2, score=1e-7)

    body, (engine, arm, shown) = answers.served_answer(
        recommendation_list(user=user, engine="hybrid", limit=20), engine="hybrid", arm=None
    )

    assert body == serializer_bytes(user)
    assert [item["movie"]["genres"] for item in json.loads(body)["data"]] == [
        ["Drama", "War"],
        [],
    ]
    assert (engine, arm, shown) == ("hybrid", None, [first.pk, second.pk])


def test_many_answers_read_each_movie_once(user, other_user, django_assert_num_queries):
    shared, mine, theirs = MovieFactory(), MovieFactory(), MovieFactory()
    shared.genres.set([GenreFactory()])
    stored(user, shared, rank=1)
    stored(user, mine, rank=2)
    stored(other_user, theirs, rank=1)
    stored(other_user, shared, rank=2)
    lists = recommendation_lists(user_ids=[user.pk, other_user.pk], engine="hybrid", limit=20)

    with django_assert_num_queries(2):  # the movies of every list, then their genres
        made = answers.served_answers(
            [(lists[user.pk], "hybrid", None), (lists[other_user.pk], "hybrid", None)]
        )

    assert [body for body, _ in made] == [serializer_bytes(user), serializer_bytes(other_user)]
    assert [meta[2] for _, meta in made] == [[shared.pk, mine.pk], [theirs.pk, shared.pk]]


def test_a_movie_withdrawn_after_the_rows_were_read_is_left_out(user):
    kept, withdrawn = MovieFactory(), MovieFactory()
    stored(user, kept, rank=1)
    stored(user, withdrawn, rank=2)
    rows = recommendation_list(user=user, engine="hybrid", limit=20)
    Movie.objects.filter(pk=withdrawn.pk).update(is_active=False)

    body, (_, _, shown) = answers.served_answer(rows, engine="hybrid", arm=None)

    assert shown == [kept.pk]
    assert [item["movie"]["id"] for item in json.loads(body)["data"]] == [kept.pk]


def test_no_lists_make_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert answers.served_answers([([], "hybrid", None)]) == [
            (
                EnvelopeJSONRenderer().render(success_body([]), "application/json", {}),
                ("hybrid", None, []),
            )
        ]


def test_the_drain_prepares_a_batch_of_answers_in_three_queries(django_assert_num_queries):
    users = [UserFactory() for _ in range(3)]
    movies = [MovieFactory() for _ in range(4)]
    for index, user in enumerate(users):
        stored(user, movies[index], rank=1)
        stored(user, movies[3], rank=2)

    with django_assert_num_queries(3):  # the lists, their movies, the movies' genres
        answers.served_answers_prepare(users=[(user.pk, "hybrid", None) for user in users])

    for user in users:
        slot = answers.served_slot(user_id=user.pk, engine=None, limit=answers.DEFAULT_LIMIT)
        (body, meta), _ = versioned_get(slot.namespace, slot.parts, depends_on=slot.depends_on)
        assert body == serializer_bytes(user)
        assert meta[2] == [movie.pk for movie in (movies[users.index(user)], movies[3])]
