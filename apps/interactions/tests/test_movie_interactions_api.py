"""POST/PUT/DELETE movies/{id}/favorite|watchlist|like|dislike|rating|view|share/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.interactions.models import Interaction, InteractionType
from apps.interactions.services import REPEAT_WINDOW
from apps.interactions.services.counters import counters_fold
from apps.interactions.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db

MEMBERSHIP_ROUTES = ["favorite", "watchlist", "like", "dislike"]


def url(movie_id: int, action: str) -> str:
    return f"/api/v1/movies/{movie_id}/{action}/"


def rows(user, movie, interaction_type) -> int:
    return Interaction.objects.filter(
        user=user, movie=movie, interaction_type=interaction_type
    ).count()


@pytest.mark.parametrize("action", MEMBERSHIP_ROUTES)
def test_first_post_creates_and_a_repeat_answers_200_with_the_same_state(auth_client, user, action):
    movie = MovieFactory()

    first = auth_client.post(url(movie.pk, action), {}, format="json")
    counters_fold()  # the answers' counters are the settled ones plus the request's own change
    second = auth_client.post(url(movie.pk, action), {}, format="json")

    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["data"] == second.json()["data"]
    assert first.json()["data"][action] is True
    assert rows(user, movie, action) == 1


@pytest.mark.parametrize("action", MEMBERSHIP_ROUTES)
def test_delete_removes_and_deleting_again_answers_200_with_the_state(auth_client, user, action):
    movie = MovieFactory()
    auth_client.post(url(movie.pk, action), {}, format="json")

    first = auth_client.delete(url(movie.pk, action))
    second = auth_client.delete(url(movie.pk, action))

    assert first.status_code == second.status_code == 200
    assert first.json()["data"][action] is False
    assert first.json()["data"] == second.json()["data"]
    assert rows(user, movie, action) == 0


@pytest.mark.parametrize("action", [*MEMBERSHIP_ROUTES, "view", "share"])
def test_write_routes_refuse_anonymous_clients_with_401(api_client, action):
    movie = MovieFactory()

    response = api_client.post(url(movie.pk, action), {}, format="json")

    assert response.status_code == 401
    assert response.json()["success"] is False
    assert not Interaction.objects.exists()


def test_rating_routes_refuse_anonymous_clients_with_401(api_client):
    movie = MovieFactory()

    assert api_client.put(url(movie.pk, "rating"), {"rating": 4}, format="json").status_code == 401
    assert api_client.delete(url(movie.pk, "rating")).status_code == 401


@pytest.mark.parametrize("action", [*MEMBERSHIP_ROUTES, "rating"])
def test_writes_change_only_the_callers_rows_never_another_users(
    auth_client, user, other_user, action
):
    movie = MovieFactory()
    rating = Decimal("2.0") if action == "rating" else None
    Interaction.objects.create(user=other_user, movie=movie, interaction_type=action, rating=rating)
    write = auth_client.put if action == "rating" else auth_client.post

    added = write(url(movie.pk, action), {"rating": 4.5}, format="json")
    removed = auth_client.delete(url(movie.pk, action))

    mine = {"rating": ("4.5", None)}.get(action, (True, False))
    assert added.status_code == 201
    assert (added.json()["data"][action], removed.json()["data"][action]) == mine
    assert rows(user, movie, action) == 0
    theirs = Interaction.objects.get(user=other_user, movie=movie, interaction_type=action)
    assert theirs.rating == rating


@pytest.mark.parametrize("action", [*MEMBERSHIP_ROUTES, "view", "share"])
def test_unknown_and_inactive_movies_are_404(auth_client, action):
    inactive = MovieFactory(is_active=False)

    unknown = auth_client.post(url(999_999, action), {}, format="json")
    hidden = auth_client.post(url(inactive.pk, action), {}, format="json")
    huge = auth_client.post(url(10**30, action), {}, format="json")

    assert unknown.status_code == hidden.status_code == huge.status_code == 404
    assert unknown.json()["error"]["code"] == "movie_not_found"
    assert not Interaction.objects.exists()


def test_liking_removes_a_dislike_and_the_counts_follow(auth_client, user):
    movie = MovieFactory()
    auth_client.post(url(movie.pk, "dislike"), {}, format="json")

    response = auth_client.post(url(movie.pk, "like"), {}, format="json")

    data = response.json()["data"]
    assert (data["like"], data["dislike"]) == (True, False)
    assert data["movie_stats"]["like_count"] == 1
    assert data["movie_stats"]["dislike_count"] == 0
    counters_fold()  # the counters once settled (services.counters)
    movie.refresh_from_db()
    assert (movie.like_count, movie.dislike_count) == (1, 0)
    assert rows(user, movie, InteractionType.DISLIKE) == 0


def test_disliking_removes_a_like(auth_client):
    movie = MovieFactory()
    auth_client.post(url(movie.pk, "like"), {}, format="json")

    auth_client.post(url(movie.pk, "dislike"), {}, format="json")

    counters_fold()  # the counters once settled (services.counters)
    movie.refresh_from_db()
    assert (movie.like_count, movie.dislike_count) == (0, 1)


def test_favorite_keeps_notes_and_user_rating_and_a_repeat_updates_only_what_is_given(
    auth_client, user
):
    movie = MovieFactory()

    auth_client.post(
        url(movie.pk, "favorite"), {"notes": "Watch with Sam", "user_rating": 4.5}, format="json"
    )
    response = auth_client.post(url(movie.pk, "favorite"), {"notes": "Again"}, format="json")

    assert response.status_code == 200
    favorite = Interaction.objects.get(user=user, movie=movie, interaction_type="favorite")
    assert favorite.notes == "Again"
    assert favorite.rating == Decimal("4.5")
    assert response.json()["data"]["favorite_rating"] == "4.5"


def test_favorite_user_rating_can_be_cleared_with_null(auth_client, user):
    movie = MovieFactory()
    auth_client.post(url(movie.pk, "favorite"), {"user_rating": 3}, format="json")

    auth_client.post(url(movie.pk, "favorite"), {"user_rating": None}, format="json")

    favorite = Interaction.objects.get(user=user, movie=movie, interaction_type="favorite")
    assert favorite.rating is None


@pytest.mark.parametrize("bad", [0, 5.5, 4.25, "abc", True, None, "NaN", "Infinity", -1])
def test_rating_outside_half_steps_is_a_400_in_the_envelope(auth_client, bad):
    movie = MovieFactory()

    response = auth_client.put(url(movie.pk, "rating"), {"rating": bad}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert "rating" in body["error"]["details"]
    assert not Interaction.objects.exists()


def test_favorite_with_an_invalid_user_rating_is_a_400(auth_client):
    movie = MovieFactory()

    response = auth_client.post(url(movie.pk, "favorite"), {"user_rating": 4.3}, format="json")

    assert response.status_code == 400
    assert "user_rating" in response.json()["error"]["details"]


@pytest.mark.parametrize("value", [0.5, "5.0", "4.50", 3])
def test_rating_accepts_half_steps_as_numbers_or_strings(auth_client, value):
    movie = MovieFactory()

    response = auth_client.put(url(movie.pk, "rating"), {"rating": value}, format="json")

    assert response.status_code == 201
    assert Decimal(response.json()["data"]["rating"]) == Decimal(str(value))


def test_rating_set_change_and_remove_keep_the_movie_average(auth_client, other_client):
    movie = MovieFactory()

    auth_client.put(url(movie.pk, "rating"), {"rating": 4}, format="json")
    other_client.put(url(movie.pk, "rating"), {"rating": 2.5}, format="json")
    counters_fold()  # the counters once settled (services.counters)
    movie.refresh_from_db()
    assert (movie.rating_count, movie.rating_sum, movie.our_rating) == (
        2,
        Decimal("6.5"),
        Decimal("3.3"),
    )

    changed = auth_client.put(url(movie.pk, "rating"), {"rating": 5}, format="json")
    assert changed.status_code == 200
    counters_fold()  # the counters once settled (services.counters)
    movie.refresh_from_db()
    assert (movie.rating_count, movie.rating_sum, movie.our_rating) == (
        2,
        Decimal("7.5"),
        Decimal("3.8"),
    )

    auth_client.delete(url(movie.pk, "rating"))
    other_client.delete(url(movie.pk, "rating"))
    counters_fold()  # the counters once settled (services.counters)
    movie.refresh_from_db()
    assert (movie.rating_count, movie.rating_sum, movie.our_rating) == (0, Decimal("0"), None)


def test_the_same_rating_again_changes_nothing(auth_client):
    movie = MovieFactory()
    auth_client.put(url(movie.pk, "rating"), {"rating": 4}, format="json")

    response = auth_client.put(url(movie.pk, "rating"), {"rating": "4.0"}, format="json")

    assert response.status_code == 200
    counters_fold()  # the counters once settled (services.counters)
    movie.refresh_from_db()
    assert (movie.rating_count, movie.rating_sum) == (1, Decimal("4"))


def test_repeated_views_within_thirty_minutes_count_once(auth_client, user):
    movie = MovieFactory()

    first = auth_client.post(url(movie.pk, "view"), {}, format="json")
    second = auth_client.post(url(movie.pk, "view"), {}, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["data"]["views"] == 1
    counters_fold()  # the counters once settled (services.counters)
    movie.refresh_from_db()
    assert movie.view_count == 1


def test_a_view_after_the_window_counts_again(auth_client, user):
    movie = MovieFactory()
    auth_client.post(url(movie.pk, "view"), {}, format="json")
    Interaction.objects.filter(user=user, movie=movie).update(
        timestamp=timezone.now() - REPEAT_WINDOW - timedelta(seconds=1)
    )

    response = auth_client.post(url(movie.pk, "view"), {}, format="json")

    assert response.json()["data"]["views"] == 2
    counters_fold()  # the counters once settled (services.counters)
    movie.refresh_from_db()
    assert movie.view_count == 2


def test_views_of_different_users_each_count(auth_client, other_client):
    movie = MovieFactory()

    auth_client.post(url(movie.pk, "view"), {}, format="json")
    other_client.post(url(movie.pk, "view"), {}, format="json")

    counters_fold()  # the counters once settled (services.counters)
    movie.refresh_from_db()
    assert movie.view_count == 2


def test_shares_are_recorded_with_their_source_and_retries_count_once(auth_client, user):
    movie = MovieFactory()

    auth_client.post(url(movie.pk, "share"), {"source": "mobile"}, format="json")
    response = auth_client.post(url(movie.pk, "share"), {"source": "mobile"}, format="json")

    assert response.json()["data"]["shares"] == 1
    share = Interaction.objects.get(user=user, movie=movie, interaction_type="share")
    assert share.source == "mobile"


def test_an_unknown_source_is_a_400(auth_client):
    movie = MovieFactory()

    response = auth_client.post(url(movie.pk, "like"), {"source": "import"}, format="json")

    assert response.status_code == 400
    assert "source" in response.json()["error"]["details"]


def test_a_body_that_is_not_json_is_a_400_not_a_500(auth_client):
    movie = MovieFactory()

    response = auth_client.post(
        url(movie.pk, "favorite"), "{not json", content_type="application/json"
    )

    assert response.status_code == 400


def test_notes_with_a_nul_byte_are_refused(auth_client):
    movie = MovieFactory()

    response = auth_client.post(url(movie.pk, "favorite"), {"notes": "a\x00b"}, format="json")

    assert response.status_code == 400


def test_a_post_with_a_non_numeric_movie_id_is_a_json_404_even_with_csrf_checks(auth_client):
    auth_client.handler.enforce_csrf_checks = True  # as a browser-less API client meets it

    response = auth_client.post("/api/v1/movies/null,null/like/", {}, format="json")
    valid = auth_client.post(f"/api/v1/movies/{MovieFactory().pk}/like/", {}, format="json")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
    assert valid.status_code == 201
