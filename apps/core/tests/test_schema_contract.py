"""The OpenAPI schema says what the server enforces (issue 11, item 21): bounds, patterns, the
time zone list and booleans. Walked from the schema, so a parameter or field added later with
a bound the server does not enforce (or the reverse) fails here, not in a client."""

import re
from decimal import Decimal

import pytest

from apps.core.tests.routes import (
    REQUIRED_QUERY,
    SCHEMA_PARAMETER,
    path_fill,
    schema_operations,
    world_create,
)
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def operations():
    return list(schema_operations())


@pytest.fixture
def world(user):
    return world_create(user)


def _query_parameters(operations):
    for path, method, operation in operations:
        if method != "get":
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                yield path, parameter


def _status(client, path, world, query) -> int:
    url = path_fill(path, world, SCHEMA_PARAMETER)
    return client.get(url, {**REQUIRED_QUERY.get(path, {}), **query}).status_code


def test_every_bounded_numeric_query_parameter_is_enforced_at_its_bounds(operations, world, user):
    client = client_for(user)
    checked = []
    for path, parameter in _query_parameters(operations):
        schema, name = parameter["schema"], parameter["name"]
        if schema.get("type") not in ("integer", "number"):
            continue
        step = 1 if schema["type"] == "integer" else Decimal("0.5")
        for bound, outside in (("minimum", -step), ("maximum", step)):
            if bound not in schema:
                continue
            edge = schema[bound]
            assert _status(client, path, world, {name: str(edge)}) != 400, (path, name, edge)
            beyond = Decimal(str(edge)) + outside
            assert _status(client, path, world, {name: str(beyond)}) == 400, (path, name, beyond)
            checked.append((path, name, bound))

    for expected in [
        ("/api/v1/movies/", "per_page", "maximum"),
        ("/api/v1/movies/", "year_min", "minimum"),
        ("/api/v1/movies/", "year_max", "maximum"),
        ("/api/v1/movies/", "rating_min", "maximum"),
        ("/api/v1/me/recommendations/", "limit", "maximum"),
        ("/api/v1/recommendations/trending/", "limit", "minimum"),
    ]:
        assert expected in checked


def test_boolean_query_parameters_take_only_true_and_false(operations, world, user):
    client = client_for(user)
    booleans = [
        (path, parameter["name"])
        for path, parameter in _query_parameters(operations)
        if parameter["schema"].get("type") == "boolean"
    ]
    assert ("/api/v1/movies/", "is_original") in booleans
    for path, name in booleans:
        for word in ("true", "false"):
            assert _status(client, path, world, {name: word}) == 200, (path, name, word)
        for coerced in ("0", "1", "yes", "on", "True"):
            assert _status(client, path, world, {name: coerced}) == 400, (path, name, coerced)


def _request_properties(operations):
    """``(method, path, field, property schema)`` of every JSON request body's fields."""
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]
    for path, method, operation in operations:
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            continue
        ref = content["schema"].get("$ref", "")
        body = components["schemas"].get(ref.rsplit("/", 1)[-1], {})
        for field, schema in body.get("properties", {}).items():
            yield method, path, field, schema


def test_boolean_body_fields_refuse_numbers_and_words(operations, world, user):
    client = client_for(user)
    checked = []
    for method, path, field, schema in _request_properties(operations):
        if schema.get("type") != "boolean" or schema.get("readOnly"):
            continue
        url = path_fill(path, world, SCHEMA_PARAMETER)
        for coerced in (0, 1, "true", "yes"):
            response = getattr(client, method)(url, {field: coerced}, format="json")
            assert response.status_code == 400, (method, path, field, coerced)
            assert field in response.json()["error"]["details"], (method, path, field)
        checked.append((method, path, field))

    assert ("post", "/api/v1/lists/", "is_public") in checked


def test_a_list_is_made_public_with_a_json_true(world, user):
    response = client_for(user).post(
        "/api/v1/lists/", {"name": "Shared picks", "is_public": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["data"]["is_public"] is True


def test_every_free_text_path_and_query_parameter_refuses_control_characters(operations):
    checked = 0
    for path, method, operation in operations:
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] not in ("path", "query") or schema.get("type") != "string":
                continue
            if "enum" in schema:
                continue
            pattern = re.compile(schema["pattern"])
            assert not pattern.search("a\x01b"), (method, path, parameter["name"])
            assert not pattern.search("a\x7fb"), (method, path, parameter["name"])
            checked += 1
    assert checked > 10


def test_the_language_filter_takes_an_iso_639_1_code_as_the_schema_says(api_client, operations):
    (language,) = [
        p
        for path, p in _query_parameters(operations)
        if path == "/api/v1/movies/" and p["name"] == "language"
    ]
    pattern = re.compile(language["schema"]["pattern"])
    cases = (("en", True), ("fr", True), ("", True), ("eng", False), ("E1", False), ("0", False))
    for code, accepted in cases:
        assert bool(pattern.fullmatch(code)) is accepted
        status = api_client.get("/api/v1/movies/", {"language": code}).status_code
        assert status == (200 if accepted else 400), code


def test_profile_language_and_time_zone_are_documented_as_validated(user):
    from drf_spectacular.generators import SchemaGenerator

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    profile = schemas["PatchedAccountMeUpdateRequest"]["properties"]
    language = re.compile(profile["preferred_language"]["pattern"])
    timezone = profile["timezone"]
    if "allOf" in timezone:  # the enum is hoisted into a component
        timezone = schemas[timezone["allOf"][0]["$ref"].rsplit("/", 1)[-1]]
    zones = timezone["enum"]
    assert "Europe/Paris" in zones and "UTC" in zones
    assert "0" not in zones

    client = client_for(user)
    assert language.fullmatch("pt-BR")
    assert client.patch("/api/v1/me/", {"preferred_language": "pt-BR"}).status_code == 200
    assert not language.fullmatch("0")
    assert client.patch("/api/v1/me/", {"preferred_language": "0"}).status_code == 400
    assert client.patch("/api/v1/me/", {"timezone": "Europe/Paris"}).status_code == 200
    assert client.patch("/api/v1/me/", {"timezone": "Mars/Olympus"}).status_code == 400


def test_every_free_text_body_field_says_nul_is_refused_and_the_server_refuses_it(
    operations, world, user
):
    client = client_for(user)
    checked = []
    for method, path, field, schema in _request_properties(operations):
        if schema.get("type") != "string" or "enum" in schema or schema.get("readOnly"):
            continue
        assert not re.compile(schema["pattern"]).search("a\x00b"), (method, path, field)
        url = path_fill(path, world, SCHEMA_PARAMETER)
        response = getattr(client, method)(url, {field: "a\x00b"}, format="json")
        assert response.status_code in (400, 401, 429), (method, path, field, response.status_code)
        checked.append((method, path, field))

    assert ("post", "/api/v1/lists/", "name") in checked
    assert ("post", "/api/v1/auth/login/", "username") in checked
