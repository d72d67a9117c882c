import pytest
from django.core import mail

from apps.accounts.models import Profile, User, UserFavoriteGenre
from apps.accounts.tests.helpers import PASSWORD, mid_login_window  # noqa: F401 - a fixture
from apps.accounts.tokens import token_pair_for
from apps.analytics.models import UserActivityLog
from apps.catalog.models import Genre, Movie
from apps.interactions.models import Interaction
from conftest import client_for

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def test_me_returns_the_user_with_the_profile_in_two_queries(
    auth_client, user, django_assert_num_queries
):
    with django_assert_num_queries(2):
        response = auth_client.get(ME)

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == user.pk
    assert data["profile"] == {
        "bio": "",
        "avatar": None,
        "preferred_language": "en",
        "timezone": "UTC",
        "country": "",
    }
    assert "password" not in data and "token_version" not in data


def test_me_works_for_an_account_created_without_a_profile(db):
    bare = User.objects.create_user(username="bare", email="bare@example.com", password=PASSWORD)

    response = client_for(bare).get(ME)

    assert response.status_code == 200
    assert response.json()["data"]["profile"]["timezone"] == "UTC"


def test_patch_changes_user_and_profile_together(auth_client, user, django_assert_max_num_queries):
    response = auth_client.patch(
        ME,
        {
            "first_name": "Ada",
            "date_of_birth": "1990-02-03",
            "timezone": "America/New_York",
            "profile": {"bio": "Film noir fan", "avatar": "https://img.example.com/a.png"},
        },
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["first_name"] == "Ada"
    assert data["profile"]["timezone"] == "America/New_York"
    assert data["profile"]["bio"] == "Film noir fan"
    profile = Profile.objects.get(user=user)
    assert profile.avatar == "https://img.example.com/a.png"


def test_patch_creates_the_missing_profile(db):
    bare = User.objects.create_user(username="bare", email="bare@example.com", password=PASSWORD)

    response = client_for(bare).patch(ME, {"country": "Kenya"})

    assert response.status_code == 200
    assert Profile.objects.get(user=bare).country == "Kenya"


def test_patch_cannot_set_privileged_fields(auth_client, user):
    response = auth_client.patch(
        ME,
        {
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "is_premium": True,
            "date_joined": "2000-01-01T00:00:00Z",
            "email_verified_at": "2000-01-01T00:00:00Z",
            "token_version": 7,
            "username": "renamed",
            "id": 999,
        },
    )

    assert response.status_code == 200
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.is_staff, fresh.is_superuser, fresh.is_active, fresh.is_premium) == (
        False,
        False,
        True,
        False,
    )
    assert fresh.date_joined == user.date_joined
    assert fresh.email_verified_at is None
    assert fresh.token_version == 0
    assert fresh.username == user.username


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"timezone": "Atlantis/Capital"}, ["timezone"]),
        ({"profile": {"timezone": "utc+3"}}, ["profile", "timezone"]),
        ({"preferred_language": "x" * 11}, ["preferred_language"]),
        ({"avatar": "not a url"}, ["avatar"]),
        ({"first_name": "f" * 151}, ["first_name"]),
        ({"email": "broken@"}, ["email"]),
        ({"date_of_birth": "yesterday"}, ["date_of_birth"]),
        ({"profile": "not an object"}, ["profile"]),
    ],
)
def test_patch_refuses_bad_input_with_field_details(auth_client, body, path):
    response = auth_client.patch(ME, body)

    assert response.status_code == 400
    details = response.json()["error"]["details"]
    for key in path:
        details = details[key]
    assert details


def test_changing_the_email_needs_the_current_password(auth_client, user):
    response = auth_client.patch(ME, {"email": "new@example.com"})

    assert response.status_code == 400
    assert "current_password" in response.json()["error"]["details"]
    assert User.objects.get(pk=user.pk).email == user.email


def test_changing_the_email_asks_to_verify_it_again(
    auth_client, user, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=user.pk).update(email_verified_at=user.date_joined)

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.patch(ME, {"email": "new@example.com", "current_password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["data"]["email_verified"] is False
    assert mail.outbox[-1].to == ["new@example.com"]


def test_changing_the_email_to_a_taken_one_is_a_400(auth_client, other_user):
    response = auth_client.patch(
        ME, {"email": other_user.email.upper(), "current_password": PASSWORD}
    )

    assert response.status_code == 400
    assert "email" in response.json()["error"]["details"]


def test_delete_removes_the_account_and_everything_it_owns(
    api_client, user, django_capture_on_commit_callbacks
):
    genre = Genre.objects.create(name="Drama", slug="drama", tmdb_id=18)
    movie = Movie.objects.create(title="Alien")
    UserFavoriteGenre.objects.create(profile=user.profile, genre=genre)
    Interaction.objects.create(user=user, movie=movie, interaction_type="like")
    UserActivityLog.objects.create(user_id=user.pk, action_type="movie_view", movie_id=movie.pk)
    tokens = token_pair_for(user)
    client = client_for(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(ME, {"current_password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Profile.objects.filter(user_id=user.pk).exists()
    assert not UserFavoriteGenre.objects.exists()
    assert not Interaction.objects.exists()
    assert Genre.objects.filter(pk=genre.pk).exists() and Movie.objects.filter(pk=movie.pk).exists()
    log = UserActivityLog.objects.get()
    assert log.user_id is None
    assert client.get(ME).status_code == 401
    refresh = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refresh.status_code == 401


def test_delete_succeeds_and_retries_later_when_analytics_fails(
    user, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from apps.analytics import services as analytics

    retried = []

    def analytics_down(**kwargs):
        raise ConnectionError("analytics database down")

    monkeypatch.setattr(analytics, "activity_anonymise_user", analytics_down)
    monkeypatch.setattr(analytics, "enqueue", lambda task, *args: retried.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).delete(ME, {"current_password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert retried == [(user.pk,)]
    assert any(record.message == "activity_anonymise_failed" for record in caplog.records)


@pytest.mark.parametrize("body", [None, {}, {"current_password": "not-the-password"}])
def test_delete_needs_the_current_password_an_access_token_is_not_enough(user, body):
    response = client_for(user).delete(ME, body, format="json")

    assert response.status_code == 400
    assert "current_password" in response.json()["error"]["details"]
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.usefixtures("mid_login_window")
def test_wrong_passwords_to_delete_count_as_login_failures(user):
    client = client_for(user)
    for _ in range(5):
        wrong = client.delete(ME, {"current_password": "not-the-password"}, format="json")
        assert wrong.status_code == 400

    response = client.delete(ME, {"current_password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_does_not_touch_other_users(user, other_user):
    client_for(user).delete(ME, {"current_password": PASSWORD}, format="json")

    assert User.objects.filter(pk=other_user.pk).exists()
    assert client_for(other_user).get(ME).status_code == 200


def test_another_users_token_shows_only_that_user(auth_client, other_client, user, other_user):
    assert auth_client.get(ME).json()["data"]["id"] == user.pk
    assert other_client.get(ME).json()["data"]["id"] == other_user.pk
