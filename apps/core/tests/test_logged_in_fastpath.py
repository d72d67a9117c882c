"""The logged-in fast path (apps.core.fastpath ``logged_in_hit``): a logged-in GET whose answer is
cached (the public bytes plus the user's part, or the user's whole answer) is served before DRF
with the token's checks and one cache round trip, and refused exactly as the DRF path refuses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from apps.accounts.tests.factories import UserFactory
from apps.accounts.tokens import AccountRefreshToken, session_of, session_revoke
from apps.catalog.tests.factories import MovieFactory
from apps.core.fastpath import UserBytesMixin, UserSlot, local_counts
from apps.core.testing import cache_calls
from apps.interactions.services.movie_interactions import favorite_add, like_add, rating_set

pytestmark = pytest.mark.django_db

FAVORITES = "/api/v1/me/favorites/"


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def signed_in(user) -> tuple[APIClient, AccountRefreshToken]:
    """A client with an access token of a new session of ``user`` (as logging in gives)."""
    refresh = AccountRefreshToken.for_user(user)
    return bearer(refresh.access_token), refresh


def detail(movie) -> str:
    return f"/api/v1/movies/{movie.pk}/"


@pytest.fixture
def movie(db):
    movie = MovieFactory()
    APIClient().get(detail(movie))  # the public bytes, cached as an anonymous visit leaves them
    return movie


# What it serves --------------------------------------------------------------------------------


def test_each_user_gets_their_own_state_spliced_into_the_public_bytes(movie):
    fan, stranger = UserFactory(), UserFactory()
    like_add(user=fan, movie_id=movie.pk)
    rating_set(user=fan, movie_id=movie.pk, value=Decimal("4.5"))
    fan_client, _ = signed_in(fan)
    stranger_client, _ = signed_in(stranger)

    for _ in range(2):  # the first made and stored, the second served from the cache
        mine = fan_client.get(detail(movie)).json()["data"]["user_state"]
        theirs = stranger_client.get(detail(movie)).json()["data"]["user_state"]

        assert mine["liked"] is True and mine["rating"] == "4.5"
        assert theirs["liked"] is False and theirs["rating"] is None


def test_the_logged_in_answer_is_the_anonymous_one_plus_the_user_state(movie):
    anonymous = APIClient().get(detail(movie)).json()
    client, _ = signed_in(UserFactory())
    client.get(detail(movie))

    response = client.get(detail(movie))

    assert response.content.count(b'"user_state"') == 1
    logged_in = response.json()
    user_state = logged_in["data"].pop("user_state")
    assert anonymous["data"].pop("user_state") is None
    assert logged_in == anonymous
    assert set(user_state) == {"favorite", "watchlist", "liked", "disliked", "rating"}


def test_a_write_of_the_user_shows_in_their_next_read(movie, django_capture_on_commit_callbacks):
    user = UserFactory()
    client, _ = signed_in(user)
    assert client.get(detail(movie)).json()["data"]["user_state"]["favorite"] is False
    assert client.get(FAVORITES).json()["data"] == []

    with django_capture_on_commit_callbacks(execute=True):
        favorite_add(user=user, movie_id=movie.pk)

    assert client.get(detail(movie)).json()["data"]["user_state"]["favorite"] is True
    assert [item["movie"]["id"] for item in client.get(FAVORITES).json()["data"]] == [movie.pk]


def test_a_movie_taken_down_is_a_404_on_the_fast_path_too(
    movie, django_capture_on_commit_callbacks
):
    from apps.catalog.services import movies_flag_set

    client, _ = signed_in(UserFactory())
    assert client.get(detail(movie)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        movies_flag_set(movie_ids=[movie.pk], field="is_active", value=False)

    assert client.get(detail(movie)).status_code == 404


def test_a_logged_in_answer_is_private(movie):
    client, _ = signed_in(UserFactory())
    client.get(detail(movie))

    response = client.get(detail(movie))

    assert "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


# What it costs ---------------------------------------------------------------------------------


@pytest.mark.performance
@pytest.mark.parametrize(
    "path", ["detail", "/api/v1/movies/popular/", FAVORITES, "/api/v1/genres/"]
)
def test_a_logged_in_hit_takes_no_query_and_one_cache_read(
    movie, path, django_assert_num_queries, monkeypatch
):
    path = detail(movie) if path == "detail" else path
    APIClient().get(path)  # the public bytes, if the answer has any
    client, _ = signed_in(UserFactory())
    monkeypatch.setattr(local_counts, "sync_seconds", 3600)
    client.get(path)  # the user's copy and part made and stored

    with cache_calls() as calls, django_assert_num_queries(0):
        response = client.get(path)

    assert response.status_code == 200
    assert calls == ["get_many"]


@pytest.mark.performance
def test_a_logged_in_miss_of_the_user_state_is_one_query(movie, django_assert_num_queries):
    user = UserFactory()
    client, _ = signed_in(user)
    client.get(detail(movie))  # the user's copy made
    other = MovieFactory()
    APIClient().get(detail(other))

    with django_assert_num_queries(1):  # the state on the movie, with the active check
        assert client.get(detail(other)).status_code == 200


# What it refuses -------------------------------------------------------------------------------


def assert_refused(response) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["success"] is False


@pytest.mark.parametrize("path", ["detail", FAVORITES, "/api/v1/movies/popular/"])
def test_a_session_logged_out_anywhere_is_refused_at_once(movie, path):
    path = detail(movie) if path == "detail" else path
    client, refresh = signed_in(UserFactory())
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # everything cached

    # What a logout in any process writes to the shared cache.
    session_revoke(session_of(refresh))

    assert_refused(client.get(path))


def test_logging_out_through_the_api_refuses_the_access_token_on_the_fast_path(
    movie, django_capture_on_commit_callbacks
):
    user = UserFactory(username="leaving")
    client, refresh = signed_in(user)
    client.get(detail(movie))
    client.get(detail(movie))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/auth/logout/", {"refresh": str(refresh)})
    assert response.status_code == 200

    assert_refused(client.get(detail(movie)))


@pytest.mark.parametrize("path", ["detail", FAVORITES, "/api/v1/movies/popular/"])
def test_an_expired_token_is_refused(movie, path):
    path = detail(movie) if path == "detail" else path
    user = UserFactory()
    client, _ = signed_in(user)
    client.get(path)  # the user's copy and part cached
    access = AccountRefreshToken.for_user(user).access_token
    access.set_exp(from_time=timezone.now() - timedelta(hours=1))

    assert_refused(bearer(access).get(path))


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Basic abc", "Bearer not.a.jwt"])
def test_a_malformed_authorization_header_is_the_drf_paths_401(movie, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    for path in (detail(movie), FAVORITES, "/api/v1/movies/popular/"):
        response = client.get(path)
        assert response.status_code in (200, 401), response.content  # Basic: not ours, anonymous
        assert response.status_code == 401 or header.startswith("Basic")


def test_a_forged_token_is_refused(movie):
    client, refresh = signed_in(UserFactory())
    client.get(detail(movie))
    token = str(refresh.access_token)

    assert_refused(bearer(token[:-3] + "abc").get(detail(movie)))


def test_a_password_change_refuses_older_tokens_in_every_process_at_once(
    movie, django_capture_on_commit_callbacks
):
    from apps.accounts.authentication import recent_users
    from apps.accounts.services.common import password_set

    user = UserFactory()
    client, _ = signed_in(user)
    client.get(detail(movie))
    assert client.get(detail(movie)).status_code == 200  # the user's shared copy in use

    with django_capture_on_commit_callbacks(execute=True):
        password_set(user=user, password="a new long passphrase 2026")
    # Another process: its own copies of the row are not dropped by this one's save.
    recent_users.clear()

    assert_refused(client.get(detail(movie)))
    fresh, _ = signed_in(user)
    assert fresh.get(detail(movie)).status_code == 200


def test_a_deactivated_user_is_refused(movie, django_capture_on_commit_callbacks):
    user = UserFactory()
    client, _ = signed_in(user)
    client.get(detail(movie))

    user.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        user.save()

    assert_refused(client.get(detail(movie)))


def test_a_deleted_user_is_refused(movie, django_capture_on_commit_callbacks):
    user = UserFactory()
    client, _ = signed_in(user)
    client.get(detail(movie))

    with django_capture_on_commit_callbacks(execute=True):
        user.delete()

    assert_refused(client.get(detail(movie)))


def test_an_anonymous_client_never_gets_a_private_answer():
    response = APIClient().get(FAVORITES)

    assert response.status_code == 401


def test_the_users_throttle_counts_fast_path_requests(movie, settings):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client, _ = signed_in(UserFactory())

    statuses = [client.get(detail(movie)).status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 429, 429]


def test_a_view_of_own_data_must_require_exactly_a_logged_in_user():
    with pytest.raises(ImproperlyConfigured, match=r"not exactly \[IsAuthenticated\]"):

        class Misconfigured(UserBytesMixin, APIView):
            permission_classes = [AllowAny]

            def user_slot(self, request, user_id):
                return UserSlot("test:user", (), 60)

    class Allowed(UserBytesMixin, APIView):
        permission_classes = [IsAuthenticated]
