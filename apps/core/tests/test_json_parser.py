"""Deeply nested JSON is a 400 on every route that reads a JSON body, login included, never a
RecursionError's 500 (issue 11, item 6): one parser in apps.core, used by every DRF view."""

import json
import logging

import pytest
from rest_framework.test import APIClient

from apps.core.parsers import MAX_JSON_DEPTH, JSONDepthLimitedParser, json_depth
from apps.core.tests.routes import SCHEMA_PARAMETER, drf_views, path_fill, schema_operations
from apps.core.tests.routes import world_create as _world_create
from conftest import client_for

DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def _nested(depth: int) -> object:
    value: object = 1
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[{{{"', 0),
        ("[]", 1),
        ('{"a": [1, {"b": "]]]\\"[[[["}]}', 3),
        ('["\\\\", [["]"]]]', 3),
        (DEEP, 1000),
        (DEEP_OBJECT, 1000),
    ],
)
def test_json_depth_counts_nesting_and_ignores_brackets_inside_strings(text, depth):
    assert json_depth(text.encode()) == depth


def test_a_string_of_closing_brackets_cannot_hide_the_real_depth():
    hidden = '["]]",' * 200 + "1" + "]" * 200
    assert json_depth(hidden.encode()) == 200


def test_every_drf_view_parses_json_with_the_depth_limited_parser():
    views = drf_views()
    assert len(views) > 40
    for route, view in views:
        parsers = view.parser_classes
        assert parsers, route
        assert all(issubclass(parser, JSONDepthLimitedParser) for parser in parsers), route


@pytest.mark.django_db
@pytest.mark.urls("apps.core.tests.urls")
def test_a_body_at_the_limit_is_accepted_and_one_level_deeper_is_a_400(api_client):
    at_limit = {"name": "ok", "count": 1, "extra": _nested(MAX_JSON_DEPTH - 1)}
    too_deep = {"name": "ok", "count": 1, "extra": _nested(MAX_JSON_DEPTH)}
    assert json_depth(json.dumps(at_limit).encode()) == MAX_JSON_DEPTH

    accepted = api_client.post("/t/echo/", at_limit, format="json")
    refused = api_client.post("/t/echo/", too_deep, format="json")

    assert accepted.status_code == 201
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "parse_error"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_login_with_deeply_nested_json_is_a_400(body, caplog):
    with caplog.at_level(logging.INFO):
        response = APIClient().post("/api/v1/auth/login/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not any(record.exc_info for record in caplog.records)


@pytest.mark.django_db
def test_every_operation_with_a_json_body_refuses_deeply_nested_json(user, caplog):
    world = _world_create(user)
    client = client_for(user)
    checked = []
    with caplog.at_level(logging.INFO):
        for path, method, operation in schema_operations():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            url = path_fill(path, world, SCHEMA_PARAMETER)
            response = getattr(client, method)(url, DEEP, content_type="application/json")
            assert response.status_code == 400, (method, path, response.content[:300])
            assert response.json()["error"]["code"] == "parse_error", (method, path)
            checked.append((method, path))

    assert ("post", "/api/v1/auth/login/") in checked
    assert ("patch", "/api/v1/me/") in checked
    assert len(checked) > 20
    assert not any(record.exc_info for record in caplog.records)
