"""Every response, success or error, comes in the one envelope with the right status."""

import json

import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

pytestmark = [pytest.mark.urls("apps.core.tests.urls"), pytest.mark.django_db]


def test_success_body_is_wrapped_in_the_envelope(api_client):
    response = api_client.get("/t/echo/")
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"hello": "world"}, "message": "OK"}


def test_view_can_set_the_success_message(api_client):
    response = api_client.post("/t/echo/", {"name": "neo", "count": 1}, format="json")
    assert response.status_code == 201
    assert response.json()["message"] == "Echoed."
    assert response.json()["data"] == {"name": "neo", "count": 1}


def test_validation_error_is_400_with_field_details(api_client):
    response = api_client.post("/t/echo/", {"name": "x" * 11}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["success"] is False
    assert body["error"]["code"] == "validation_error"
    assert set(body["error"]["details"]) == {"name", "count"}
    assert body["error"]["request_id"] == response["X-Request-ID"]


def test_malformed_json_is_a_400_parse_error(api_client):
    response = api_client.generic(
        "POST", "/t/echo/", data='{"name": "neo",', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_non_json_media_type_is_415(api_client):
    response = api_client.generic("POST", "/t/echo/", data="name=neo", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_oversized_body_is_413(api_client):
    body = json.dumps({"name": "n", "count": 1, "padding": "x" * 500})
    response = api_client.generic("POST", "/t/echo/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_missing_credentials_are_401(api_client):
    response = api_client.get("/t/private/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "Bearer" in response["WWW-Authenticate"]


def test_garbage_bearer_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    response = api_client.get("/t/private/")
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_django_404_inside_a_view_is_enveloped(api_client):
    response = api_client.get("/t/missing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing/", "/no-such-page", "/api/v1/movies/x/y/z/"]
)
def test_unknown_path_is_a_json_404_not_an_html_page(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_405(api_client):
    response = api_client.delete("/t/echo/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_domain_conflict_is_409_with_details(api_client):
    response = api_client.get("/t/conflict/")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "Already taken.",
        "details": {"slug": ["taken"]},
        "request_id": response["X-Request-ID"],
    }


def test_unhandled_exception_is_500_with_request_id_and_no_internals(api_client):
    response = api_client.get("/t/boom/", HTTP_X_REQUEST_ID="trace-123")
    body = response.json()
    assert response.status_code == 500
    assert body["error"]["code"] == "server_error"
    assert body["error"]["request_id"] == "trace-123"
    assert "secret internal detail" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_throttled_client_gets_429_with_retry_after(api_client):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/min"}
    rest = {**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}
    with override_settings(REST_FRAMEWORK=rest):
        statuses = [api_client.get("/t/throttled/").status_code for _ in range(3)]
        response = api_client.get("/t/throttled/")
    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.parametrize("query", ["q=%00", "q=a%0Db", "page=%7F"])
def test_control_characters_in_the_query_are_a_400(api_client, query):
    response = api_client.get(f"/t/echo/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_user_and_an_anonymous_client_are_counted_separately(api_client, user):
    from conftest import client_for

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "1/min", "user": "2/min"}
    rest = {**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}
    with override_settings(REST_FRAMEWORK=rest):
        anonymous = [api_client.get("/t/echo/").status_code for _ in range(2)]
        member = client_for(user)
        authenticated = [member.get("/t/echo/").status_code for _ in range(3)]
    assert anonymous == [200, 429]
    assert authenticated == [200, 200, 429]
