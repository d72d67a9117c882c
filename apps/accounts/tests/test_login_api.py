import pytest
from django.test import override_settings

from apps.accounts import login_guard
from apps.accounts.exceptions import TooManyAttempts
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import (  # noqa: F401 - mid_login_window is a fixture
    PASSWORD,
    bearer,
    login,
    mid_login_window,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_login_window")]


@pytest.fixture
def victim(db):
    return UserFactory(username="victim", email="victim@example.com")


def test_login_with_username_returns_tokens_and_the_user(api_client, victim):
    response = login(api_client, "victim")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["access"] and data["refresh"]
    assert data["user"]["username"] == "victim"
    assert bearer(api_client, data["access"]).get("/api/v1/me/").status_code == 200


def test_login_with_email_in_any_case_works(api_client, victim):
    response = login(api_client, "Victim@Example.COM")

    assert response.status_code == 200
    assert response.json()["data"]["user"]["id"] == victim.pk


def test_login_records_the_last_login(api_client, victim):
    login(api_client, "victim")

    victim.refresh_from_db()
    assert victim.last_login is not None


def test_unknown_user_and_wrong_password_get_the_same_answer(api_client, victim):
    unknown = login(api_client, "nobody-here")
    wrong = login(api_client, "victim", "wrong-password")

    assert unknown.status_code == wrong.status_code == 401
    unknown_error, wrong_error = unknown.json()["error"], wrong.json()["error"]
    assert unknown_error["code"] == wrong_error["code"] == "invalid_credentials"
    assert unknown_error["message"] == wrong_error["message"]


def test_inactive_user_cannot_log_in_and_is_told_the_same_as_a_wrong_password(api_client, victim):
    victim.is_active = False
    victim.save()

    response = login(api_client, "victim")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_login_refuses_missing_fields_with_details(api_client):
    response = api_client.post("/api/v1/auth/login/", {"username": "x"})

    assert response.status_code == 400
    assert "password" in response.json()["error"]["details"]


def test_a_stale_authorization_header_does_not_block_logging_in(api_client, victim):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")

    assert login(api_client, "victim").status_code == 200


def test_sixth_failure_in_a_minute_is_429_with_retry_after_even_with_the_right_password(
    api_client, victim
):
    for _ in range(5):
        assert login(api_client, "victim", "wrong-password").status_code == 401

    response = login(api_client, "victim")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["success"] is False
    assert response.json()["error"]["code"] == "throttled"


def test_unknown_accounts_lock_exactly_like_real_ones(api_client):
    for _ in range(5):
        login(api_client, "ghost", "wrong-password")

    assert login(api_client, "ghost", "wrong-password").status_code == 429


def test_username_and_email_share_one_account_counter(api_client, victim):
    for identifier in ["victim", "victim@example.com"] * 2 + ["VICTIM"]:
        login(api_client, identifier, "wrong-password")

    assert login(api_client, "victim@example.com").status_code == 429


def test_the_lock_expires_with_the_window(api_client, victim, monkeypatch):
    for _ in range(5):
        login(api_client, "victim", "wrong-password")
    assert login(api_client, "victim").status_code == 429

    later = login_guard._now() + login_guard.WINDOW_SECONDS
    monkeypatch.setattr(login_guard, "_now", lambda: later)

    assert login(api_client, "victim").status_code == 200


def test_an_attacker_on_one_address_does_not_lock_out_the_user_on_another(api_client, victim):
    for _ in range(6):
        login(api_client, "victim", "wrong-password", REMOTE_ADDR="203.0.113.9")

    assert login(api_client, "victim", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_a_distributed_guess_against_one_account_is_stopped(api_client, victim):
    for index in range(20):
        login(api_client, "victim", "wrong-password", REMOTE_ADDR=f"203.0.113.{index + 1}")

    response = login(api_client, "victim", "wrong-password", REMOTE_ADDR="198.51.100.200")

    assert response.status_code == 429


@override_settings(ACCOUNTS_LOGIN_FAILURE_LIMITS={"client": 3})
def test_a_successful_login_does_not_wipe_the_failures_of_its_client(api_client, victim):
    attacker = UserFactory(username="attacker")
    login(api_client, "someone-1", "guess")
    login(api_client, "someone-2", "guess")
    assert login(api_client, attacker.username).status_code == 200
    login(api_client, "someone-3", "guess")

    response = login(api_client, "someone-4", "guess")

    assert response.status_code == 429


def test_attempts_in_flight_hold_their_slot_so_parallel_guesses_cannot_exceed_the_limit():
    in_flight = [
        login_guard.login_attempt_begin(account="user:1", client="203.0.113.5") for _ in range(5)
    ]

    with pytest.raises(TooManyAttempts):
        login_guard.login_attempt_begin(account="user:1", client="203.0.113.5")
    assert len(in_flight) == 5


class _BrokenCache:
    def add(self, *args, **kwargs):
        raise ConnectionError("cache down")

    incr = decr = get = add


class _SilentCache:
    """What django-redis does with IGNORE_EXCEPTIONS: every call returns None."""

    def add(self, *args, **kwargs):
        return None

    incr = decr = get = add


@pytest.mark.parametrize("broken_cache", [_BrokenCache(), _SilentCache()])
def test_login_guard_fails_open_when_the_cache_is_down(
    api_client, victim, monkeypatch, caplog, broken_cache
):
    # The guard counts through the cache helper, which finds the backend in both places.
    monkeypatch.setattr("apps.core.cache.caches", {"default": broken_cache})
    monkeypatch.setattr("apps.core.cache.cache", broken_cache)

    for _ in range(8):
        assert login(api_client, "victim", "wrong-password").status_code == 401
    assert login(api_client, "victim").status_code == 200
    assert [r.message for r in caplog.records].count("login_guard_unavailable") == 1


def test_login_is_also_rate_limited_per_client_by_the_auth_throttle(api_client, victim):
    from rest_framework.settings import api_settings

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "auth": "2/min"}
    from django.conf import settings

    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        login(api_client, "victim")
        login(api_client, "victim")
        response = login(api_client, "victim")

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_a_request_without_a_client_address_is_counted_not_a_500(api_client, victim):
    response = login(api_client, "victim", "wrong-password", REMOTE_ADDR="")

    assert response.status_code == 401
    with pytest.raises(TooManyAttempts):
        for _ in range(6):
            login_guard.login_attempt_begin(account="user:9", client=None)


ATTACKERS = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]


def flood(api_client, username: str = "victim") -> None:
    """Twenty failures from four addresses, five each: within every per-address limit."""
    for address in ATTACKERS:
        for _ in range(5):
            response = login(api_client, username, "wrong-password", REMOTE_ADDR=address)
            assert response.status_code == 401


def login_with_challenge(api_client, challenge: str, password: str = PASSWORD, **extra):
    body = {"username": "victim", "password": password, "challenge": challenge}
    return api_client.post("/api/v1/auth/login/", body, **extra)


def later(monkeypatch, seconds: float) -> None:
    moment = login_guard._now() + seconds
    monkeypatch.setattr(login_guard, "_now", lambda: moment)


def test_an_attacker_on_four_addresses_cannot_lock_the_real_user_out_of_a_new_address(
    api_client, victim, monkeypatch
):
    flood(api_client)

    asked = login(api_client, "victim", REMOTE_ADDR="198.51.100.7")

    assert asked.status_code == 429
    error = asked.json()["error"]
    assert error["code"] == "login_challenge"
    assert int(asked["Retry-After"]) == login_guard.challenge_delay()
    later(monkeypatch, login_guard.challenge_delay())
    response = login_with_challenge(
        api_client, error["details"]["challenge"], REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 200
    assert response.json()["data"]["user"]["id"] == victim.pk


def test_a_flooded_account_still_stops_guessing(api_client, victim, monkeypatch):
    from apps.accounts.models import User

    flood(api_client)
    checked = []
    real_check_password = User.check_password
    monkeypatch.setattr(
        User,
        "check_password",
        lambda self, raw: checked.append(raw) or real_check_password(self, raw),
    )
    guesser = {"REMOTE_ADDR": "192.0.2.50"}

    def challenge_for(**extra) -> str:
        response = login(api_client, "victim", "guess", **extra)
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "login_challenge"
        return response.json()["error"]["details"]["challenge"]

    first = challenge_for(**guesser)
    # Sent at once, the challenge is refused: the wait is the point.
    assert login_with_challenge(api_client, first, "guess", **guesser).status_code == 429
    second, third, elsewhere = challenge_for(**guesser), challenge_for(**guesser), challenge_for()
    assert checked == []
    later(monkeypatch, login_guard.challenge_delay())

    assert login_with_challenge(api_client, first, "guess-1", **guesser).status_code == 401
    # A challenge works once, and only for the address it was given to.
    assert login_with_challenge(api_client, first, "guess-2", **guesser).status_code == 429
    assert login_with_challenge(api_client, elsewhere, "guess-3", **guesser).status_code == 429
    assert login_with_challenge(api_client, second, "guess-4", **guesser).status_code == 401
    # Two challenged guesses per address and window, then the address waits for the window.
    refused = login_with_challenge(api_client, third, "guess-5", **guesser)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert checked == ["guess-1", "guess-4"]


def test_a_forged_challenge_is_refused(api_client, victim, monkeypatch):
    flood(api_client)
    asked = login(api_client, "victim", REMOTE_ADDR="198.51.100.7")
    challenge = asked.json()["error"]["details"]["challenge"]
    later(monkeypatch, login_guard.challenge_delay())

    for forged in (challenge[:-2] + "xx", "garbage"):
        response = login_with_challenge(api_client, forged, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 429


def test_ipv6_clients_count_by_their_64_network(api_client, victim):
    for host in range(1, 6):
        login(api_client, "victim", "wrong-password", REMOTE_ADDR=f"2001:db8:1:2::{host}")

    response = login(api_client, "victim", REMOTE_ADDR="2001:db8:1:2:ffff::9")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    other_network = login(api_client, "victim", REMOTE_ADDR="2001:db8:1:3::1")
    assert other_network.status_code == 200


def test_a_flooded_account_can_still_change_its_password_with_a_token(api_client, victim):
    from conftest import client_for

    flood(api_client)

    response = client_for(victim).post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password": "plum-orchard-velvet-42"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 200
