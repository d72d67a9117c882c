import pytest

pytestmark = [pytest.mark.urls("apps.core.tests.urls"), pytest.mark.django_db]


def test_first_page_has_the_pagination_block(api_client):
    body = api_client.get("/t/numbers/").json()
    assert body["success"] is True
    assert body["data"] == list(range(1, 21))
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 45, "pages": 3}


def test_last_page_is_partial(api_client):
    body = api_client.get("/t/numbers/?page=3&per_page=20").json()
    assert body["data"] == list(range(41, 46))


def test_per_page_of_100_is_the_largest_page(api_client):
    body = api_client.get("/t/numbers/?per_page=100").json()
    assert body["pagination"]["per_page"] == 100
    assert len(body["data"]) == 45


def test_per_page_above_100_is_a_400_as_the_schema_says_not_clamped(api_client):
    response = api_client.get("/t/numbers/?per_page=101")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"per_page": ["Must be <= 100."]}


def test_page_past_the_end_is_an_empty_list(api_client):
    body = api_client.get("/t/numbers/?page=9").json()
    assert body["data"] == []
    assert body["pagination"]["total"] == 45


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=1.5",
        "per_page=0",
        "per_page=x",
        "page=999999999",
        "page=" + "9" * 4301,
        "per_page=" + "9" * 4301,
    ],
)
def test_bad_page_numbers_are_a_clear_400(api_client, query):
    response = api_client.get(f"/t/numbers/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "validation_error"
    assert set(body["error"]["details"]) & {"page", "per_page"}
