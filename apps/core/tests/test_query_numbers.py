"""Over-long numbers in query parameters are a 400 in the envelope on every route, counted by
the throttle, with nothing logged at ERROR (issue 11, item 5).

Python refuses to convert a string of more than 4,300 digits to an int (a ValueError): read
naively, such a ``page`` was a 500 with a traceback, raised on the anonymous fast path before
the throttle counted the request. The routes are taken from the URLconf and the OpenAPI schema
(apps/core/tests/routes.py), so a route added later is covered without editing this file.
"""

import logging

import pytest
from django.test import override_settings
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from apps.core.tests.routes import (
    REQUIRED_QUERY,
    SCHEMA_PARAMETER,
    drf_views,
    paginated_routes,
    path_fill,
    schema_operations,
    world_create,
)
from conftest import client_for

pytestmark = pytest.mark.django_db

OVERLONG = "9" * 5000  # past Python's 4,300-digit conversion limit

PAGINATED = paginated_routes()
PUBLIC_PAGINATED = [
    (route, view)
    for route, view in PAGINATED
    if not any(issubclass(p, IsAuthenticated) for p in view.permission_classes)
]


@pytest.fixture
def world(user):
    return world_create(user)


def _assert_refused(response, name: str) -> None:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "validation_error"
    assert name in body["error"]["details"]


def _no_traceback_logged(caplog) -> None:
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not any(r.exc_info for r in caplog.records)


def test_the_walk_finds_the_paginated_routes():
    routes = {route for route, _view in PAGINATED}
    assert {"/api/v1/movies/", "/api/v1/movies/popular/", "/api/v1/me/favorites/"} <= routes
    assert "/api/v1/feed/sections/<slug:key>/" in routes  # paginates in its own get()
    generic_lists = {
        route
        for route, view in drf_views()
        if issubclass(view, GenericAPIView) and hasattr(view, "list")
    }
    assert generic_lists <= routes
    assert "/api/v1/movies/popular/" in {route for route, _view in PUBLIC_PAGINATED}


@pytest.mark.parametrize(("route", "view"), PAGINATED, ids=[r for r, _v in PAGINATED])
@pytest.mark.parametrize("name", ["page", "per_page"])
def test_an_overlong_page_number_is_a_400_on_every_paginated_route(
    route, view, name, world, user, caplog
):
    url = path_fill(route, world)
    query = {**REQUIRED_QUERY.get(route, {}), name: OVERLONG}
    clients = [client_for(user)]
    if (route, view) in PUBLIC_PAGINATED:
        clients.append(APIClient())  # anonymous: the cached-bytes fast path reads it first

    with caplog.at_level(logging.INFO):
        for client in clients:
            _assert_refused(client.get(url, query), name)

    _no_traceback_logged(caplog)


@pytest.mark.parametrize(("route", "view"), PUBLIC_PAGINATED, ids=[r for r, _v in PUBLIC_PAGINATED])
def test_requests_refused_for_an_overlong_page_are_counted_by_the_throttle(
    route, view, world, api_client
):
    url = path_fill(route, world)
    query = {**REQUIRED_QUERY.get(route, {}), "page": OVERLONG}
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min"}
    rest = {**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}
    with override_settings(REST_FRAMEWORK=rest):
        statuses = [api_client.get(url, query).status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 429]


@pytest.mark.parametrize("name", ["page", "per_page"])
@pytest.mark.parametrize("value", ["0", "-1", "101x", "1.0", "\u0661\u0662", "1" + "0" * 18])
def test_malformed_or_out_of_range_page_numbers_are_a_400(api_client, name, value):
    _assert_refused(api_client.get("/api/v1/movies/popular/", {name: value}), name)


def test_per_page_above_100_is_a_400_not_clamped(api_client):
    _assert_refused(api_client.get("/api/v1/movies/", {"per_page": "101"}), "per_page")
    assert api_client.get("/api/v1/movies/", {"per_page": "100"}).status_code == 200


def test_every_numeric_query_parameter_in_the_schema_refuses_an_overlong_number(
    world, user, caplog
):
    user.is_staff = True  # staff routes (analytics) check their parameters too
    user.save(update_fields=["is_staff"])
    client = client_for(user)
    checked = []
    with caplog.at_level(logging.INFO):
        for path, method, operation in schema_operations():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                kind = parameter.get("schema", {}).get("type")
                if parameter["in"] != "query" or kind not in ("integer", "number"):
                    continue
                url = path_fill(path, world, SCHEMA_PARAMETER)
                query = {**REQUIRED_QUERY.get(path, {}), parameter["name"]: OVERLONG}
                response = client.get(url, query)
                assert response.status_code == 400, (path, parameter["name"], response.content)
                assert response.json()["success"] is False
                checked.append((path, parameter["name"]))

    assert ("/api/v1/me/recommendations/", "limit") in checked
    assert ("/api/v1/movies/", "year_min") in checked
    _no_traceback_logged(caplog)
