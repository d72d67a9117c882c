import base64
import json
import threading
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.exceptions import TokenRefused
from apps.accounts.services import token_refresh
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import bearer, login
from apps.accounts.tokens import AccountRefreshToken, token_pair_for
from apps.core.testing import postgres_only
from conftest import client_for

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _payload(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def assert_refused(response):
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] in {"authentication_failed", "token_not_valid"}
    assert body["error"]["message"] == "The token is invalid, expired or revoked."


@pytest.fixture
def pair(user):
    return token_pair_for(user)


def test_access_tokens_live_fifteen_minutes_and_refresh_tokens_seven_days(pair):
    access, refresh = _payload(pair["access"]), _payload(pair["refresh"])

    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] == timedelta(minutes=15)


def test_a_valid_access_token_is_accepted(api_client, pair):
    assert bearer(api_client, pair["access"]).get(ME).status_code == 200


def test_tokens_made_by_plain_simplejwt_still_work(auth_client):
    assert auth_client.get(ME).status_code == 200


def test_anonymous_request_to_me_is_401_in_the_envelope(api_client):
    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_an_access_token_with_a_tampered_signature_is_refused(api_client, pair):
    header, payload, signature = pair["access"].split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    assert_refused(bearer(api_client, f"{header}.{payload}.{flipped}").get(ME))


def test_an_access_token_with_a_forged_payload_is_refused(api_client, pair, other_user):
    header, _payload_part, signature = pair["access"].split(".")
    forged = _b64({**_payload(pair["access"]), "user_id": str(other_user.pk)})

    assert_refused(bearer(api_client, f"{header}.{forged}.{signature}").get(ME))


def test_an_unsigned_alg_none_token_is_refused(api_client, pair):
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_payload(pair['access']))}."

    assert_refused(bearer(api_client, unsigned).get(ME))


def test_a_token_signed_with_another_key_is_refused(api_client, pair):
    forged = jwt.encode(_payload(pair["access"]), "not-our-secret-key-" * 3, algorithm="HS256")

    assert_refused(bearer(api_client, forged).get(ME))


def test_an_expired_access_token_is_refused(api_client, user):
    access = AccountRefreshToken.for_user(user).access_token
    access.set_exp(from_time=access.current_time - timedelta(hours=1))

    assert_refused(bearer(api_client, str(access)).get(ME))


def test_a_refresh_token_is_not_accepted_as_an_access_token(api_client, pair):
    assert_refused(bearer(api_client, pair["refresh"]).get(ME))


def test_an_access_token_is_not_accepted_as_a_refresh_token(api_client, pair):
    assert_refused(api_client.post(REFRESH, {"refresh": pair["access"]}))


def test_the_token_of_a_deleted_user_is_refused(api_client, user, pair):
    user.delete()

    assert_refused(bearer(api_client, pair["access"]).get(ME))
    assert_refused(api_client.post(REFRESH, {"refresh": pair["refresh"]}))


def test_the_token_of_an_inactive_user_is_refused(api_client, user, pair):
    user.is_active = False
    user.save()

    assert_refused(bearer(api_client, pair["access"]).get(ME))
    assert_refused(api_client.post(REFRESH, {"refresh": pair["refresh"]}))


def test_refresh_rotates_and_the_old_refresh_token_is_refused_afterwards(api_client, pair):
    response = api_client.post(REFRESH, {"refresh": pair["refresh"]})

    assert response.status_code == 200
    rotated = response.json()["data"]
    assert rotated["refresh"] != pair["refresh"]
    assert bearer(api_client, rotated["access"]).get(ME).status_code == 200
    assert api_client.post(REFRESH, {"refresh": rotated["refresh"]}).status_code == 200
    assert_refused(api_client.post(REFRESH, {"refresh": pair["refresh"]}))


def test_of_two_refreshes_with_the_same_token_only_one_wins(pair):
    token_refresh(raw_refresh=pair["refresh"])

    with pytest.raises(TokenRefused):
        token_refresh(raw_refresh=pair["refresh"])


def test_an_expired_refresh_token_is_refused(api_client, user):
    refresh = AccountRefreshToken.for_user(user)
    refresh.set_exp(from_time=refresh.current_time - timedelta(days=8))

    assert_refused(api_client.post(REFRESH, {"refresh": str(refresh)}))


def test_garbage_refresh_token_is_401_not_500(api_client):
    assert_refused(api_client.post(REFRESH, {"refresh": "garbage"}))


def test_refresh_without_a_token_is_400(api_client):
    response = api_client.post(REFRESH, {})

    assert response.status_code == 400
    assert "refresh" in response.json()["error"]["details"]


def test_logout_blacklists_the_refresh_token(api_client, pair):
    response = api_client.post(LOGOUT, {"refresh": pair["refresh"]})

    assert response.status_code == 200
    assert_refused(api_client.post(REFRESH, {"refresh": pair["refresh"]}))


def test_logout_with_a_blacklisted_or_forged_token_is_refused(api_client, pair):
    api_client.post(LOGOUT, {"refresh": pair["refresh"]})

    assert_refused(api_client.post(LOGOUT, {"refresh": pair["refresh"]}))
    assert_refused(api_client.post(LOGOUT, {"refresh": pair["refresh"][:-2] + "xx"}))


def test_logout_works_for_a_refresh_token_made_by_plain_simplejwt(api_client, user):
    refresh = str(RefreshToken.for_user(user))

    assert api_client.post(LOGOUT, {"refresh": refresh}).status_code == 200
    assert_refused(api_client.post(REFRESH, {"refresh": refresh}))


def test_full_session_flow_through_the_api(api_client):
    other = UserFactory(username="flow")
    tokens = login(api_client, "flow").json()["data"]
    rotated = api_client.post(REFRESH, {"refresh": tokens["refresh"]}).json()["data"]
    api_client.post(LOGOUT, {"refresh": rotated["refresh"]})

    assert_refused(api_client.post(REFRESH, {"refresh": rotated["refresh"]}))
    assert client_for(other).get(ME).status_code == 200


def test_logout_ends_the_sessions_access_tokens_too_and_only_that_session(api_client):
    UserFactory(username="twice")
    phone = login(api_client, "twice").json()["data"]
    laptop = login(api_client, "twice").json()["data"]
    rotated = api_client.post(REFRESH, {"refresh": phone["refresh"]}).json()["data"]
    assert bearer(api_client, rotated["access"]).get(ME).status_code == 200

    assert api_client.post(LOGOUT, {"refresh": rotated["refresh"]}).status_code == 200

    # The session's access tokens, from before and after the rotation, are refused at once...
    assert_refused(bearer(api_client, rotated["access"]).get(ME))
    assert_refused(bearer(api_client, phone["access"]).get(ME))
    # ...and the other session goes on.
    assert bearer(api_client, laptop["access"]).get(ME).status_code == 200
    assert api_client.post(REFRESH, {"refresh": laptop["refresh"]}).status_code == 200


def test_each_login_is_its_own_session_and_a_rotation_keeps_it(api_client, user):
    first, second = token_pair_for(user), token_pair_for(user)
    rotated = token_refresh(raw_refresh=first["refresh"])

    sessions = [_payload(token)["sid"] for token in (first["access"], first["refresh"])]
    assert sessions[0] == sessions[1] == _payload(first["refresh"])["jti"]
    assert _payload(second["access"])["sid"] != sessions[0]
    assert _payload(rotated["access"])["sid"] == _payload(rotated["refresh"])["sid"] == sessions[0]


def test_a_rotated_refresh_token_presented_again_ends_that_session(api_client):
    UserFactory(username="stolen")
    victim = login(api_client, "stolen").json()["data"]
    other_device = login(api_client, "stolen").json()["data"]
    rotated = api_client.post(REFRESH, {"refresh": victim["refresh"]}).json()["data"]
    assert bearer(api_client, rotated["access"]).get(ME).status_code == 200

    # A thief replays the copy of the first refresh token it stole.
    assert_refused(api_client.post(REFRESH, {"refresh": victim["refresh"]}))

    # The session's current tokens, access included, stop working at once...
    assert_refused(bearer(api_client, rotated["access"]).get(ME))
    assert_refused(api_client.post(REFRESH, {"refresh": rotated["refresh"]}))
    # ...and the user's other sessions go on.
    assert bearer(api_client, other_device["access"]).get(ME).status_code == 200
    assert api_client.post(REFRESH, {"refresh": other_device["refresh"]}).status_code == 200


def test_reuse_ends_the_session_in_the_database_too_not_only_in_the_cache(api_client, user):
    from django.core.cache import cache

    pair = token_pair_for(user)
    rotated = token_refresh(raw_refresh=pair["refresh"])
    with pytest.raises(TokenRefused):
        token_refresh(raw_refresh=pair["refresh"])

    cache.clear()  # the revocation mark is gone (a cache restart): the blacklist still holds

    assert_refused(api_client.post(REFRESH, {"refresh": rotated["refresh"]}))


def test_a_forged_or_expired_refresh_token_ends_no_session(api_client, user):
    pair = token_pair_for(user)
    refresh = AccountRefreshToken(pair["refresh"])
    expired = AccountRefreshToken.for_user(user)
    expired["sid"] = refresh["sid"]
    expired.set_exp(from_time=expired.current_time - timedelta(days=8))

    assert_refused(api_client.post(REFRESH, {"refresh": pair["refresh"][:-2] + "xx"}))
    assert_refused(api_client.post(REFRESH, {"refresh": str(expired)}))

    assert bearer(api_client, pair["access"]).get(ME).status_code == 200
    assert api_client.post(REFRESH, {"refresh": pair["refresh"]}).status_code == 200


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_with_one_token_end_the_session_of_both():
    """The loser of the race presents a token already rotated: the winner's new pair is not
    trusted either (the copy may be the thief's), so the whole session ends."""
    from rest_framework.test import APIClient

    user = UserFactory()
    pair = token_pair_for(user)
    barrier = threading.Barrier(2)
    answers = []

    def refresh():
        try:
            barrier.wait(timeout=5)
            answers.append(APIClient().post(REFRESH, {"refresh": pair["refresh"]}))
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answer.status_code for answer in answers) == [200, 401]
    winner = next(answer for answer in answers if answer.status_code == 200).json()["data"]
    assert_refused(bearer(APIClient(), winner["access"]).get(ME))
    assert_refused(APIClient().post(REFRESH, {"refresh": winner["refresh"]}))
