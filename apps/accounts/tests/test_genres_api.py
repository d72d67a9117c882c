import pytest

from apps.accounts.models import UserFavoriteGenre
from apps.accounts.services import favorite_genres_set
from apps.accounts.signals import favorite_genres_changed
from apps.catalog.models import Genre

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/genres/"


@pytest.fixture
def genres(db):
    names = ["Action", "Comedy", "Drama", "Horror"]
    return [
        Genre.objects.create(name=name, slug=name.lower(), tmdb_id=index)
        for index, name in enumerate(names, start=1)
    ]


def test_favorite_genres_start_empty(auth_client):
    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json()["data"] == {"genre_ids": [], "genres": []}


def test_put_sets_the_favorite_genres_and_get_reads_them_in_two_queries(
    auth_client, genres, django_assert_num_queries
):
    action, comedy, drama, _horror = genres
    response = auth_client.put(URL, {"genre_ids": [drama.pk, action.pk]})
    assert response.status_code == 200

    with django_assert_num_queries(2):
        response = auth_client.get(URL)

    data = response.json()["data"]
    assert data["genre_ids"] == [action.pk, drama.pk]
    assert [genre["name"] for genre in data["genres"]] == ["Action", "Drama"]
    assert comedy.pk not in data["genre_ids"]


def test_put_replaces_the_whole_set(auth_client, user, genres):
    action, comedy, _drama, horror = genres
    auth_client.put(URL, {"genre_ids": [action.pk, comedy.pk]})

    response = auth_client.put(URL, {"genre_ids": [comedy.pk, horror.pk, horror.pk]})

    assert response.json()["data"]["genre_ids"] == [comedy.pk, horror.pk]
    stored = UserFavoriteGenre.objects.filter(profile__user=user)
    assert sorted(stored.values_list("genre_id", flat=True)) == sorted([comedy.pk, horror.pk])


def test_put_with_an_empty_list_clears_the_favorites(auth_client, user, genres):
    auth_client.put(URL, {"genre_ids": [genres[0].pk]})

    response = auth_client.put(URL, {"genre_ids": []})

    assert response.json()["data"]["genre_ids"] == []
    assert not UserFavoriteGenre.objects.filter(profile__user=user).exists()


def test_unknown_genre_ids_are_a_400_naming_them(auth_client, user, genres):
    response = auth_client.put(URL, {"genre_ids": [genres[0].pk, 9998, 9999]})

    assert response.status_code == 400
    error = response.json()["error"]
    assert "9998" in error["message"] and "9999" in error["message"]
    assert "9998, 9999" in error["details"]["genre_ids"][0]
    assert not UserFavoriteGenre.objects.filter(profile__user=user).exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"genre_ids": "1,2"},
        {"genre_ids": [0]},
        {"genre_ids": ["x"]},
        {"genre_ids": [1] * 101},
        {"genre_ids": [2**64]},
    ],
)
def test_malformed_genre_ids_are_a_400(auth_client, body):
    response = auth_client.put(URL, body)

    assert response.status_code == 400
    assert "genre_ids" in response.json()["error"]["details"]


def test_favorites_are_per_user(auth_client, other_client, genres):
    auth_client.put(URL, {"genre_ids": [genres[0].pk]})

    assert other_client.get(URL).json()["data"]["genre_ids"] == []


def test_favorite_genres_need_authentication(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.put(URL, {"genre_ids": []}).status_code == 401


def test_setting_genres_for_a_user_without_a_profile_creates_it(genres):
    from apps.accounts.models import User

    bare = User.objects.create_user(username="bare", email="bare@example.com", password="x")

    favorite_genres_set(user=bare, genre_ids=[genres[1].pk])

    assert list(bare.profile.favorite_genres.all()) == [genres[1]]


def test_a_change_is_signalled_once_after_commit_and_a_failing_listener_fails_nothing(
    auth_client, user, genres, django_capture_on_commit_callbacks
):
    action, comedy, _drama, _horror = genres
    heard = []

    def listener(sender, *, user_id, **kwargs):
        heard.append(user_id)
        raise RuntimeError("a listener that breaks")

    favorite_genres_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            changed = auth_client.put(URL, {"genre_ids": [action.pk, comedy.pk]}, format="json")
        with django_capture_on_commit_callbacks(execute=True):
            same = auth_client.put(URL, {"genre_ids": [comedy.pk, action.pk]}, format="json")
    finally:
        favorite_genres_changed.disconnect(listener)

    assert changed.status_code == same.status_code == 200
    assert heard == [user.pk]
    assert set(
        UserFavoriteGenre.objects.filter(profile__user=user).values_list("genre_id", flat=True)
    ) == {action.pk, comedy.pk}
