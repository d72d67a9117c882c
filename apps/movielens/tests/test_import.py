from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.accounts.models import Profile
from apps.catalog.models import Genre, Movie, MovieGenre, MovieTag
from apps.core.testing import shared_movielens_small
from apps.interactions.models import Interaction

pytestmark = pytest.mark.django_db

MOVIES = """movieId,title,genres
1,"Matrix, The (1999)",Action|Sci-Fi|Thriller
2,"Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",Comedy|Romance
3,Babylon 5,(no genres listed)
4,Kids (1995),Children|Musical|Film-Noir|IMAX
5,Same Tmdb Id (2000),Drama
"""
LINKS = """movieId,imdbId,tmdbId\r
1,0133093,603\r
2,0211915,194\r
3,0105946,\r
4,0113540,9344\r
5,0113541,603\r
"""
TAGS = """userId,movieId,tag,timestamp
1,1,cyberpunk,1139045764
2,1,Cyberpunk,1139045765
2,1,philosophy,1139045766
1,99,unknown movie,1139045767
"""
RATINGS = """userId,movieId,rating,timestamp
1,1,4.5,964982703
2,1,3.0,964982704
2,2,5.0,964982705
1,4,0.5,964982706
4,1,7.0,964982707
4,999,4.0,964982708
"""


@pytest.fixture
def movielens_dir(tmp_path) -> Path:
    for name, content in (
        ("movies.csv", MOVIES),
        ("links.csv", LINKS),
        ("tags.csv", TAGS),
        ("ratings.csv", RATINGS),
    ):
        (tmp_path / name).write_text(content, encoding="utf-8", newline="")
    return tmp_path


def _import(directory, *extra):
    call_command("import_movielens", str(directory), *extra, "-v", "0")


def test_import_creates_movies_with_parsed_titles_and_linked_ids(movielens_dir):
    _import(movielens_dir)

    matrix = Movie.objects.get(movielens_id=1)
    assert (matrix.title, matrix.release_year) == ("The Matrix", 1999)
    assert (matrix.imdb_id, matrix.tmdb_id) == ("tt0133093", 603)
    amelie = Movie.objects.get(movielens_id=2)
    assert amelie.title == "Amelie"
    assert amelie.original_title == "Le Fabuleux destin d'Amélie Poulain"
    babylon = Movie.objects.get(movielens_id=3)
    assert (babylon.release_year, babylon.tmdb_id, babylon.imdb_id) == (None, None, "tt0105946")
    assert babylon.tmdb_synced_at is None


def test_a_tmdb_id_repeated_in_links_goes_to_the_first_movie_only(movielens_dir):
    _import(movielens_dir)

    assert Movie.objects.get(movielens_id=1).tmdb_id == 603
    duplicate = Movie.objects.get(movielens_id=5)
    assert duplicate.tmdb_id is None
    assert duplicate.imdb_id == "tt0113541"


def test_genres_map_to_tmdb_genres_and_no_genres_listed_means_none(movielens_dir):
    _import(movielens_dir)

    matrix = Movie.objects.get(movielens_id=1)
    assert sorted(matrix.genres.values_list("name", "tmdb_id")) == [
        ("Action", 28),
        ("Science Fiction", 878),
        ("Thriller", 53),
    ]
    kids = Movie.objects.get(movielens_id=4)
    assert sorted(kids.genres.values_list("name", "tmdb_id")) == [
        ("Family", 10751),
        ("Film-Noir", None),
        ("IMAX", None),
        ("Music", 10402),
    ]
    assert not Movie.objects.get(movielens_id=3).genres.exists()


def test_tags_are_counted_per_movie_case_insensitively(movielens_dir):
    _import(movielens_dir)

    tags = dict(MovieTag.objects.filter(movie__movielens_id=1).values_list("tag", "count"))
    assert tags == {"cyberpunk": 2, "philosophy": 1}
    assert MovieTag.objects.count() == 2


def test_each_movielens_user_becomes_an_account_with_a_profile_and_no_usable_password(
    movielens_dir,
):
    _import(movielens_dir)

    users = get_user_model().objects.filter(username__startswith="ml_").order_by("username")
    assert [u.username for u in users] == ["ml_1", "ml_2"]
    assert users[0].email == "ml_1@movielens.invalid"
    assert not any(u.has_usable_password() for u in users)
    assert Profile.objects.filter(user__in=users).count() == 2


def test_ratings_become_imported_rating_interactions_with_their_timestamps(movielens_dir):
    _import(movielens_dir)

    rating = Interaction.objects.get(user__username="ml_1", movie__movielens_id=1)
    assert rating.interaction_type == "rating"
    assert rating.source == "import"
    assert rating.rating == Decimal("4.5")
    assert int(rating.timestamp.timestamp()) == 964982703
    assert Interaction.objects.count() == 4  # the 7.0 and the unknown movie are skipped


def test_movie_rating_aggregates_are_recomputed(movielens_dir):
    _import(movielens_dir)

    matrix = Movie.objects.get(movielens_id=1)
    assert (matrix.rating_count, matrix.rating_sum, matrix.our_rating) == (
        2,
        Decimal("7.5"),
        Decimal("3.8"),
    )
    kids = Movie.objects.get(movielens_id=4)
    assert (kids.rating_count, kids.our_rating) == (1, Decimal("0.5"))
    babylon = Movie.objects.get(movielens_id=3)
    assert (babylon.rating_count, babylon.our_rating) == (0, None)


def test_an_import_repairs_every_aggregate_of_its_movies_as_recount_interactions_does(
    movielens_dir,
):
    _import(movielens_dir)
    Movie.objects.filter(movielens_id=1).update(like_count=40, view_count=3, our_rating=1)
    Movie.objects.filter(movielens_id=3).update(dislike_count=2)

    _import(movielens_dir)

    matrix, babylon = Movie.objects.get(movielens_id=1), Movie.objects.get(movielens_id=3)
    assert (matrix.like_count, matrix.view_count, matrix.our_rating) == (0, 0, Decimal("3.8"))
    assert babylon.dislike_count == 0


def _snapshot():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Movie, Genre, MovieGenre, MovieTag, Interaction, Profile, get_user_model())
    }


def test_a_second_import_changes_nothing(movielens_dir):
    _import(movielens_dir)
    before = _snapshot()

    _import(movielens_dir)

    assert _snapshot() == before


def test_small_batches_give_the_same_result_as_one_batch(movielens_dir, monkeypatch):
    monkeypatch.setattr("apps.movielens.importer.BATCH_SIZE", 2)
    monkeypatch.setattr("apps.movielens.ratings.RATINGS_BATCH_SIZE", 2)

    _import(movielens_dir)

    assert Movie.objects.count() == 5
    assert Movie.objects.get(movielens_id=1).tmdb_id == 603
    assert Movie.objects.get(movielens_id=5).tmdb_id is None
    assert Interaction.objects.count() == 4
    assert Movie.objects.get(movielens_id=1).rating_count == 2


def test_a_movie_tmdb_sync_created_first_is_adopted_and_keeps_its_title(movielens_dir):
    synced = Movie.objects.create(title="The Matrix (TMDb)", tmdb_id=603)

    _import(movielens_dir)

    synced.refresh_from_db()
    assert synced.movielens_id == 1
    assert synced.title == "The Matrix (TMDb)"
    assert synced.release_year == 1999
    assert Movie.objects.filter(tmdb_id=603).count() == 1
    assert Movie.objects.count() == 5


def test_ratings_option_reads_ratings_from_another_file(movielens_dir, tmp_path_factory):
    other = tmp_path_factory.mktemp("other") / "more.csv"
    other.write_text("userId,movieId,rating,timestamp\n7,2,2.5,1000000000\n", encoding="utf-8")

    _import(movielens_dir, "--ratings", str(other))

    assert list(Interaction.objects.values_list("user__username", "movie__movielens_id")) == [
        ("ml_7", 2)
    ]


def test_a_later_duplicate_rating_of_the_same_pair_wins(movielens_dir):
    (movielens_dir / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\n1,1,2.0,1000\n1,1,4.0,2000\n", encoding="utf-8"
    )

    _import(movielens_dir)

    assert Interaction.objects.get().rating == Decimal("4.0")


def test_command_reports_counts_and_refuses_a_directory_without_movies(
    movielens_dir, tmp_path_factory
):
    out = StringIO()
    call_command("import_movielens", str(movielens_dir), stdout=out, stderr=StringIO())
    assert "Movies: 5 created" in out.getvalue()
    assert "Ratings: 4 (2 skipped)" in out.getvalue()

    with pytest.raises(CommandError, match=r"no movies\.csv"):
        call_command("import_movielens", str(tmp_path_factory.mktemp("empty")))


def test_quiet_import_prints_nothing(movielens_dir, capsys):
    out = StringIO()

    call_command("import_movielens", str(movielens_dir), "-v", "0", stdout=out)

    assert out.getvalue() == ""
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_the_real_ml_latest_small_imports_with_its_published_counts():
    _import(shared_movielens_small())

    assert get_user_model().objects.filter(username__startswith="ml_").count() == 610
    assert Movie.objects.filter(movielens_id__isnull=False).count() == 9742
    assert Interaction.objects.filter(source="import", interaction_type="rating").count() == 100836


def test_a_rating_changed_in_the_file_is_updated_on_the_next_import(movielens_dir):
    _import(movielens_dir)
    (movielens_dir / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\n1,1,1.5,964990000\n", encoding="utf-8"
    )

    _import(movielens_dir)

    rating = Interaction.objects.get(user__username="ml_1", movie__movielens_id=1)
    assert rating.rating == Decimal("1.5")
    assert int(rating.timestamp.timestamp()) == 964990000
    matrix = Movie.objects.get(movielens_id=1)
    assert (matrix.rating_count, matrix.rating_sum) == (2, Decimal("4.5"))


def test_ratings_of_a_movielens_user_whose_username_a_real_account_holds_are_skipped(
    movielens_dir,
):
    from apps.accounts.tests.factories import UserFactory

    real = UserFactory(username="ML_1", email="someone@example.com")

    _import(movielens_dir)

    assert not Interaction.objects.filter(user=real).exists()
    assert list(Interaction.objects.values_list("user__username", flat=True).distinct()) == ["ml_2"]
