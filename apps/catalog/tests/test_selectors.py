"""apps/catalog/selectors.py, called directly (movie_user_state is tested with the
interactions selectors, whose rows it reads)."""

import pytest

from apps.catalog.selectors import (
    genre_list,
    movie_active_id,
    movie_credits,
    movie_detail_get,
    movie_id_by_tmdb_id,
    movie_similar_ids,
    movie_summary_queryset,
    movies_in_order,
    person_detail_get,
    person_list_popular,
    season_detail_get,
    show_detail_get,
    show_summary_queryset,
)
from apps.catalog.tests.factories import (
    CastFactory,
    CompanyFactory,
    CrewFactory,
    EpisodeFactory,
    GenreFactory,
    KeywordFactory,
    MovieFactory,
    MovieKeywordFactory,
    MovieTagFactory,
    PersonFactory,
    SeasonFactory,
    ShowFactory,
    VideoFactory,
)
from apps.core.exceptions import NotFound

pytestmark = pytest.mark.django_db


def test_movie_summary_queryset_holds_active_movies_with_their_genres_in_two_queries(
    django_assert_num_queries,
):
    drama = GenreFactory(name="Drama")
    shown = MovieFactory(genres=[drama])
    MovieFactory(is_active=False, genres=[drama])

    with django_assert_num_queries(2):
        movies = list(movie_summary_queryset())
        genres = [genre.name for movie in movies for genre in movie.summary_genres]

    assert [movie.pk for movie in movies] == [shown.pk]
    assert genres == ["Drama"]


def test_a_summary_shows_the_same_genres_prefetched_or_not(django_assert_num_queries):
    from apps.catalog.models import Movie
    from apps.catalog.serializers import MovieSummarySerializer

    movie = MovieFactory(
        genres=[GenreFactory(name="War"), GenreFactory(name="Drama"), GenreFactory(name="Action")]
    )
    bare = Movie.objects.get(pk=movie.pk)  # read without the prefetch: one query for genres

    with django_assert_num_queries(2):
        prefetched = MovieSummarySerializer(movie_summary_queryset().get(pk=movie.pk)).data
    with django_assert_num_queries(1):
        plain = MovieSummarySerializer(bare).data

    assert prefetched == plain
    assert prefetched["genres"] == ["Action", "Drama", "War"]


def test_genre_list_is_ordered_by_name():
    GenreFactory(name="Western")
    GenreFactory(name="Action")

    assert [genre.name for genre in genre_list()] == ["Action", "Western"]


def test_movie_detail_get_prefetches_what_the_page_shows_and_hides_inactive_movies(
    django_assert_num_queries,
):
    movie = MovieFactory(genres=[GenreFactory(name="Drama")])
    for order in range(12):
        CastFactory(movie=movie, order=order)
    CrewFactory(movie=movie, job="Director")
    CrewFactory(movie=movie, job="Gaffer", department="Lighting")
    movie.production_companies.add(CompanyFactory(name="Studio"))
    VideoFactory(movie=movie, video_type="Trailer")
    VideoFactory(movie=movie, video_type="Featurette")

    with django_assert_num_queries(6):
        found = movie_detail_get(movie_id=movie.pk)
        shown = (
            len(found.top_cast),
            [credit.job for credit in found.key_crew],
            [video.video_type for video in found.trailers],
            [genre.name for genre in found.genre_list],
        )

    assert shown == (10, ["Director"], ["Trailer"], ["Drama"])
    with pytest.raises(NotFound):
        movie_detail_get(movie_id=MovieFactory(is_active=False).pk)


def test_movie_active_id_answers_the_id_of_an_active_movie_only():
    movie, hidden = MovieFactory(), MovieFactory(is_active=False)

    assert movie_active_id(movie_id=movie.pk) == movie.pk
    for missing in (hidden.pk, 10**9):
        with pytest.raises(NotFound):
            movie_active_id(movie_id=missing)


def test_movie_id_by_tmdb_id_is_none_when_unknown_and_not_found_when_inactive():
    movie = MovieFactory(tmdb_id=11)
    MovieFactory(tmdb_id=12, is_active=False)

    assert movie_id_by_tmdb_id(tmdb_id=11) == movie.pk
    assert movie_id_by_tmdb_id(tmdb_id=13) is None
    with pytest.raises(NotFound):
        movie_id_by_tmdb_id(tmdb_id=12)


def test_movie_credits_give_the_whole_cast_in_billing_order_and_the_crew():
    movie = MovieFactory()
    second, first = CastFactory(movie=movie, order=2), CastFactory(movie=movie, order=1)
    crew = CrewFactory(movie=movie)
    CastFactory()  # another movie's

    credits = movie_credits(movie_id=movie.pk)

    assert [credit.pk for credit in credits["cast"]] == [first.pk, second.pk]
    assert [credit.pk for credit in credits["crew"]] == [crew.pk]


def test_movie_similar_ids_rank_shared_people_and_keywords_above_a_shared_genre():
    genre, keyword, person = GenreFactory(), KeywordFactory(), PersonFactory()
    movie = MovieFactory(genres=[genre])
    MovieKeywordFactory(movie=movie, keyword=keyword)
    CastFactory(movie=movie, person=person)
    MovieTagFactory(movie=movie, tag="heist")
    genre_mate = MovieFactory(genres=[genre])
    keyword_mate = MovieKeywordFactory(keyword=keyword).movie
    person_mate = CastFactory(person=person).movie
    tag_mate = MovieTagFactory(tag="heist").movie
    MovieFactory(genres=[genre], is_active=False)
    MovieFactory()  # nothing in common

    ranked = movie_similar_ids(movie_id=movie.pk)

    assert ranked[0] == person_mate.pk
    assert set(ranked[1:3]) == {keyword_mate.pk, tag_mate.pk}
    assert ranked[3:] == [genre_mate.pk]
    assert movie_similar_ids(movie_id=movie.pk, limit=1) == [person_mate.pk]


def test_movies_in_order_keeps_the_order_given_and_drops_inactive_or_unknown_ids():
    first, second = MovieFactory(), MovieFactory()
    hidden = MovieFactory(is_active=False)

    found = movies_in_order(ids=[second.pk, hidden.pk, 10**9, first.pk])

    assert [movie.pk for movie in found] == [second.pk, first.pk]


def test_person_list_popular_puts_the_most_popular_first():
    low, high = PersonFactory(popularity=1.0), PersonFactory(popularity=9.0)

    assert list(person_list_popular()) == [high, low]


def test_person_detail_get_lists_known_for_movies_from_cast_and_crew():
    person = PersonFactory()
    acted = CastFactory(person=person, movie=MovieFactory(popularity_score=5.0)).movie
    directed = CrewFactory(person=person, movie=MovieFactory(popularity_score=9.0)).movie
    CastFactory(person=person, movie=MovieFactory(is_active=False))

    found = person_detail_get(person_id=person.pk)

    assert [movie.pk for movie in found.known_for] == [directed.pk, acted.pk]
    with pytest.raises(NotFound):
        person_detail_get(person_id=10**9)


def test_show_summary_queryset_holds_active_shows_only():
    shown = ShowFactory()
    ShowFactory(is_active=False)

    assert list(show_summary_queryset()) == [shown]


def test_show_detail_get_orders_the_seasons_and_hides_inactive_shows():
    show = ShowFactory()
    later, earlier = (
        SeasonFactory(show=show, season_number=2),
        SeasonFactory(show=show, season_number=1),
    )

    found = show_detail_get(show_id=show.pk)

    assert list(found.seasons.all()) == [earlier, later]
    with pytest.raises(NotFound):
        show_detail_get(show_id=ShowFactory(is_active=False).pk)


def test_season_detail_get_orders_the_episodes_and_needs_an_active_show():
    season = SeasonFactory(season_number=3)
    second = EpisodeFactory(season=season, episode_number=2)
    first = EpisodeFactory(season=season, episode_number=1)
    hidden = SeasonFactory(show=ShowFactory(is_active=False), season_number=1)

    found = season_detail_get(show_id=season.show_id, season_number=3)

    assert list(found.episodes.all()) == [first, second]
    for show_id, number in [(season.show_id, 4), (hidden.show_id, 1)]:
        with pytest.raises(NotFound):
            season_detail_get(show_id=show_id, season_number=number)
