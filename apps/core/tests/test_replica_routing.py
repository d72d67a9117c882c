"""Read replicas in one process: which reads go where, read-your-writes across requests, and
replicas that are down or lag skipped. The router's choices are observed directly; the same
behaviour against a real streaming replica is in test_replication.py."""

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import override_settings

from apps.accounts.models import User
from apps.catalog.models import Genre
from apps.core import replicas, routers

pytestmark = pytest.mark.django_db
router = routers.DatabaseRouter()


@pytest.fixture(autouse=True)
def _not_pinned():
    """Earlier tests in this thread wrote, which pins a thread outside requests to the
    primary for good; each test here starts as a thread that has not written."""
    token = routers._pinned_to_primary.set(False)
    yield
    routers._pinned_to_primary.reset(token)


@pytest.fixture(autouse=True)
def _fresh_verdicts():
    replicas.verdicts_reset()
    yield
    replicas.verdicts_reset()


@pytest.fixture(autouse=True)
def _outside_the_test_transaction():
    """Each test runs in a transaction that the router would rightly keep on the primary; the
    router is shown the autocommit state of a request instead."""
    with mock.patch("apps.core.routers.connections", {"default": mock.Mock(in_atomic_block=False)}):
        yield


def in_request(method, body, *, user_id=None):
    """Run ``body`` inside a request's routing scope, as the middleware does."""
    tokens = routers.begin_request_scope(method, user=lambda: user_id)
    try:
        if user_id is not None:
            routers.request_user_bind(user_id)
        return body()
    finally:
        routers.end_request_scope(tokens)


@override_settings(DATABASE_REPLICAS=["replica_0"])
@mock.patch("apps.core.replicas.replica_lag", return_value=0.0)
@mock.patch("apps.core.replicas.connections")
def test_safe_requests_read_the_replica_and_unsafe_ones_the_primary(connections, _lag):
    connections.__getitem__.return_value.vendor = "postgresql"
    assert in_request("GET", lambda: router.db_for_read(Genre)) == "replica_0"
    assert in_request("POST", lambda: router.db_for_read(Genre)) == "default"
    assert in_request("DELETE", lambda: router.db_for_read(Genre)) == "default"


@override_settings(DATABASE_REPLICAS=["replica_0"], DATABASE_READ_YOUR_WRITES_SECONDS=5)
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_a_user_who_wrote_reads_the_primary_in_later_requests_and_others_do_not(_usable, user):
    def write():
        user.first_name = "Changed"
        user.save(update_fields=["first_name"])

    in_request("PATCH", write, user_id=user.pk)
    assert in_request("GET", lambda: router.db_for_read(User), user_id=user.pk) == "default"
    assert in_request("GET", lambda: router.db_for_read(User), user_id=user.pk + 1) == "replica_0"
    assert in_request("GET", lambda: router.db_for_read(User)) == "replica_0"


@pytest.mark.django_db(transaction=True)
@override_settings(DATABASE_REPLICAS=["replica_0"], DATABASE_READ_YOUR_WRITES_SECONDS=5)
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_a_write_requests_marks_go_with_its_commits_invalidations_not_when_it_ends(
    _usable, user, other_user
):
    """The commit drops the written user's shared copy, and in the same cache round trip
    marks both the request's user and the user written; the request's end has nobody left."""
    from django.db import transaction

    def write():
        with transaction.atomic():
            other_user.first_name = "Changed"
            other_user.save(update_fields=["first_name"])
        assert replicas.recent_writer(user.pk)
        assert replicas.recent_writer(other_user.pk)

    with mock.patch.object(
        replicas, "recent_writers_mark", wraps=replicas.recent_writers_mark
    ) as at_the_end:
        in_request("PATCH", write, user_id=user.pk)
    assert at_the_end.call_args_list == [mock.call(set())]
    assert in_request("GET", lambda: router.db_for_read(User), user_id=user.pk) == "default"


@pytest.mark.django_db(transaction=True)
@override_settings(DATABASE_REPLICAS=["replica_0"], DATABASE_READ_YOUR_WRITES_SECONDS=5)
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_with_the_cache_down_a_write_request_commits_and_ends_without_its_marks(
    _usable, user, other_user
):
    """The commit's pipeline (invalidations and marks) fails and is logged; the write stands,
    and neither the commit nor the request's end raises."""
    from django.db import transaction

    from apps.core.testing import cache_unavailable

    def write():
        with transaction.atomic():
            other_user.first_name = "Written while the cache was down"
            other_user.save(update_fields=["first_name"])

    with cache_unavailable():
        in_request("PATCH", write, user_id=user.pk)
    other_user.refresh_from_db()
    assert other_user.first_name == "Written while the cache was down"
    assert not replicas.recent_writer(other_user.pk)  # lost with the cache: the bound documented


@override_settings(DATABASE_REPLICAS=["replica_0"])
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_writing_another_users_row_marks_that_user_too(_usable, user, other_user):
    """A password reset is written by an anonymous request: the user it changed is marked."""

    def reset():
        other_user.set_password("a-new-password-for-you")
        other_user.save()

    in_request("POST", reset)
    assert in_request("GET", lambda: router.db_for_read(User), user_id=other_user.pk) == "default"
    assert in_request("GET", lambda: router.db_for_read(User), user_id=user.pk) == "replica_0"


@override_settings(DATABASE_REPLICAS=["replica_0"], DATABASE_READ_YOUR_WRITES_SECONDS=1)
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_the_marker_of_a_write_expires(_usable, user):
    import time

    in_request("POST", lambda: user.save(update_fields=["first_name"]), user_id=user.pk)
    assert in_request("GET", lambda: router.db_for_read(User), user_id=user.pk) == "default"
    time.sleep(1.2)
    assert in_request("GET", lambda: router.db_for_read(User), user_id=user.pk) == "replica_0"


@override_settings(DATABASE_REPLICAS=["replica_0"])
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_a_request_that_only_reads_marks_nobody(_usable, user):
    in_request("GET", lambda: Genre.objects.using("default").count(), user_id=user.pk)
    assert in_request("GET", lambda: router.db_for_read(User), user_id=user.pk) == "replica_0"


@override_settings(
    DATABASE_REPLICAS=["replica_0"],
    DATABASE_REPLICA_MAX_LAG_SECONDS=2.0,
    DATABASE_REPLICA_CHECK_SECONDS=60,
)
@mock.patch("apps.core.replicas.connections")
def test_a_lagging_replica_is_skipped_and_the_verdict_is_cached(connections):
    connections.__getitem__.return_value.vendor = "postgresql"
    with mock.patch("apps.core.replicas.replica_lag", return_value=7.5) as lag:
        assert router.db_for_read(Genre) == "default"
        assert router.db_for_read(Genre) == "default"
        assert lag.call_count == 1
    assert replicas.replica_status("replica_0").reason == "lagging"


@override_settings(DATABASE_REPLICAS=["replica_0"], DATABASE_REPLICA_CHECK_SECONDS=0)
@mock.patch("apps.core.replicas.connections")
def test_a_replica_that_does_not_answer_is_skipped_until_it_does(connections):
    connections.__getitem__.return_value.vendor = "postgresql"
    with mock.patch("apps.core.replicas.replica_lag", side_effect=OperationalError("refused")):
        assert router.db_for_read(Genre) == "default"
    with mock.patch("apps.core.replicas.replica_lag", return_value=0.1):
        assert router.db_for_read(Genre) == "replica_0"


@override_settings(DATABASE_REPLICAS=["replica_0"], DATABASE_REPLICA_CHECK_SECONDS=60)
@mock.patch("apps.core.replicas.connections")
def test_a_failed_query_on_a_replica_marks_it_down_at_once(connections):
    connections.__getitem__.return_value.vendor = "postgresql"
    with mock.patch("apps.core.replicas.replica_lag", return_value=0.0):
        assert router.db_for_read(Genre) == "replica_0"
    replica_connection = mock.Mock(alias="replica_0", execute_wrappers=[])
    replicas.install_failure_watch(sender=None, connection=replica_connection)
    watch = replica_connection.execute_wrappers[0]
    failing = mock.Mock(side_effect=OperationalError("server closed the connection"))
    with pytest.raises(OperationalError):
        watch(failing, "SELECT 1", None, False, {})
    assert router.db_for_read(Genre) == "default"


def test_the_lag_query_reads_positions_not_clocks():
    """Equal WAL positions mean no lag, however long ago the last transaction was replayed."""
    replica = mock.MagicMock()
    replica.cursor.return_value.__enter__.return_value.fetchone.return_value = (
        True,
        "0/3000060",
        900.0,
    )
    primary = mock.MagicMock()
    cursor = primary.cursor.return_value.__enter__.return_value
    with (
        mock.patch.dict("apps.core.replicas.connections.__dict__", {}),
        mock.patch(
            "apps.core.replicas.connections",
            {"replica_0": replica, "default": primary},
        ),
    ):
        cursor.fetchone.return_value = ("0/3000060",)
        assert replicas.replica_lag("replica_0") == 0.0
        cursor.fetchone.return_value = ("0/3000100",)
        assert replicas.replica_lag("replica_0") == 900.0


@override_settings(DATABASE_REPLICAS=["replica_0"])
@mock.patch("apps.core.replicas.replica_lag", side_effect=OperationalError("refused"))
@mock.patch("apps.core.views.settings")
def test_readiness_stays_ready_when_a_replica_is_down(settings_mock, _lag, api_client):
    from django.conf import settings

    settings_mock.DATABASES = {"default": settings.DATABASES["default"]}
    settings_mock.CELERY_TASK_ALWAYS_EAGER = True
    with mock.patch("apps.core.replicas.connections") as connections:
        connections.__getitem__.return_value.vendor = "postgresql"
        response = api_client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["data"]["checks"]["replicas"] == "replica_0: skipped (unavailable)"


# The recent-writer mark read with the fast path's other keys ------------------------------------


def _signed_request(user):
    """A GET with an access token of a new session of ``user`` (made before the request's
    scope begins: logging in writes, which would pin the request to the primary)."""
    from django.test import RequestFactory

    from apps.accounts.tokens import AccountRefreshToken

    token = AccountRefreshToken.for_user(user).access_token
    return RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")


def _fast_credentials(request):
    from apps.accounts.authentication import AccountJWTAuthentication

    return AccountJWTAuthentication().fast_credentials(request)


@override_settings(DATABASE_REPLICAS=["replica_0"])
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
@pytest.mark.parametrize("marked", [True, False])
def test_the_fast_path_reads_the_writer_mark_with_the_session_and_binds_without_asking_again(
    _usable, user, marked
):
    from apps.core.cache import MISSING
    from apps.core.testing import cache_calls

    request = _signed_request(user)

    def authenticate():
        credentials = _fast_credentials(request)
        key = replicas.recent_writer_key(user.pk)
        assert key in credentials.plain_keys  # read in the fast path's one round trip
        with cache_calls() as calls:
            found = credentials.resolve({key: 1} if marked else {}, [(MISSING, 1)])
        assert found == user
        assert "get" not in calls  # the mark is not read a second time
        return router.db_for_read(Genre)

    tokens = routers.begin_request_scope("GET")
    try:
        assert authenticate() == ("default" if marked else "replica_0")
    finally:
        routers.end_request_scope(tokens)


@override_settings(DATABASE_REPLICAS=[])
def test_without_replicas_the_fast_path_reads_no_writer_mark(user):
    request = _signed_request(user)
    tokens = routers.begin_request_scope("GET")
    try:
        credentials = _fast_credentials(request)
    finally:
        routers.end_request_scope(tokens)
    assert replicas.recent_writer_key(user.pk) not in credentials.plain_keys


# Writes sent as plain SQL (the interaction services) ----------------------------------------


@pytest.fixture
def liked_elsewhere(user):
    """A movie, and the user's recommendation state made outside any request: a like then
    writes only plain SQL statements (no ORM write would tell the router)."""
    from apps.catalog.tests.factories import MovieFactory
    from apps.recommendations.models import RecommendationState

    RecommendationState.objects.get_or_create(user_id=user.pk)
    return MovieFactory()


@override_settings(DATABASE_REPLICAS=["replica_0"], DATABASE_READ_YOUR_WRITES_SECONDS=5)
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_a_like_written_in_plain_sql_marks_its_user_and_a_repeat_that_changes_nothing_does_not(
    _usable, user, other_user, liked_elsewhere
):
    from django.db import connection

    from apps.interactions import services

    assert routers._watch_writes in connection.execute_wrappers
    movie = liked_elsewhere
    in_request("POST", lambda: services.like_add(user=user, movie_id=movie.pk), user_id=user.pk)
    assert in_request("GET", lambda: router.db_for_read(User), user_id=user.pk) == "default"
    # The same like again by another user who has liked it already: nothing written.
    services.like_add(user=other_user, movie_id=movie.pk)
    routers._pinned_to_primary.set(False)
    in_request(
        "POST", lambda: services.like_add(user=other_user, movie_id=movie.pk), user_id=other_user.pk
    )
    assert in_request("GET", lambda: router.db_for_read(User), user_id=other_user.pk) == (
        "replica_0"
    )


def test_the_watches_are_installed_once_per_connection_object():
    from django.db import connection

    routers.install_write_watch(None, connection)
    routers.install_write_watch(None, connection)
    assert connection.execute_wrappers.count(routers._watch_writes) == 1
    replica = mock.Mock(alias="replica_0", execute_wrappers=[])
    with override_settings(DATABASE_REPLICAS=["replica_0"]):
        replicas.install_failure_watch(None, replica)
        replicas.install_failure_watch(None, replica)
    assert len(replica.execute_wrappers) == 1


@override_settings(
    DATABASE_REPLICAS=["replica_0"], DATABASE_READ_YOUR_WRITES_SECONDS=5, AUTH_USER_CACHE_SECONDS=1
)
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
@pytest.mark.parametrize("marked", [True, False])
def test_the_drf_path_reads_the_writer_mark_with_the_session_mark_in_one_round_trip(
    _usable, user, marked
):
    """A logged-in read the fast path did not answer: DRF's authentication reads both marks
    and the shared copy in one round trip (the copy is made from the primary: no replica is
    configured in the tests)."""
    from rest_framework.request import Request

    from apps.accounts.authentication import AccountJWTAuthentication
    from apps.core.testing import cache_calls

    request = Request(_signed_request(user))
    if marked:
        replicas.recent_writers_mark([user.pk])
    tokens = routers.begin_request_scope("GET")
    try:
        with cache_calls() as calls:
            found, _ = AccountJWTAuthentication().authenticate(request)
        chosen = router.db_for_read(Genre)
    finally:
        routers.end_request_scope(tokens)
    assert found == user
    assert calls.count("get_many") == 1
    assert "get" not in calls
    assert chosen == ("default" if marked else "replica_0")


def _answering(*statuses, fail_replica=True):
    """A view (the rest of the middleware chain) answering ``statuses`` in turn; each call
    records where the router sends a read, and the first one fails replica_0 first when
    ``fail_replica``."""
    from django.http import HttpResponse

    calls = []

    def view(request):
        if fail_replica and not calls:
            replicas.replica_failed("replica_0", OperationalError("query_wait_timeout"))
        calls.append(router.db_for_read(Genre))
        return HttpResponse(status=statuses[len(calls) - 1])

    return view, calls


def _through_retry(view, method="GET"):
    from django.test import RequestFactory

    from apps.core.middleware import ReplicaRetryMiddleware

    request = RequestFactory().generic(method, "/api/v1/movies/")
    return in_request(method, lambda: ReplicaRetryMiddleware(view)(request))


@override_settings(DATABASE_REPLICAS=["replica_0"])
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_a_read_a_failed_replica_answered_503_is_answered_again_from_the_primary(_usable):
    view, calls = _answering(503, 200)

    response = _through_retry(view)

    assert response.status_code == 200
    # The first attempt read the replica (usable by the mock), the second the primary.
    assert calls == ["replica_0", "default"]
    assert replicas.request_failures_seen() == []  # the watch ended with the request


@override_settings(DATABASE_REPLICAS=["replica_0"])
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_the_retry_happens_once_and_its_answer_stands(_usable):
    view, calls = _answering(503, 503)

    assert _through_retry(view).status_code == 503
    assert len(calls) == 2


@override_settings(DATABASE_REPLICAS=["replica_0"])
@mock.patch("apps.core.replicas.replica_usable", return_value=True)
@pytest.mark.parametrize(
    ("method", "statuses", "fail_replica"),
    [
        ("POST", (503, 201), True),  # an unsafe request: never run twice
        ("GET", (503, 200), False),  # a 503 of another cause (TMDb, the primary)
        ("GET", (500, 200), True),  # not an outage
    ],
    ids=["post", "no-replica-failure", "server-error"],
)
def test_other_requests_and_answers_are_left_as_they_are(_usable, method, statuses, fail_replica):
    view, calls = _answering(*statuses, fail_replica=fail_replica)

    assert _through_retry(view, method).status_code == statuses[0]
    assert len(calls) == 1


@mock.patch("apps.core.replicas.replica_usable", return_value=True)
def test_without_replicas_a_request_passes_through_unwatched(_usable):
    view, calls = _answering(503, 200, fail_replica=False)

    assert _through_retry(view).status_code == 503
    assert calls == ["default"]
