import pytest

pytestmark = pytest.mark.django_db

HUGE = "9" * 20  # beyond a 64-bit integer


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/api/v1/movies/{HUGE}/", 404),
        (f"/api/v1/movies/tmdb/{HUGE}/", 404),
        (f"/api/v1/movies/{HUGE}/similar/", 404),
        (f"/api/v1/movies/{HUGE}/credits/", 404),
        (f"/api/v1/people/{HUGE}/", 404),
        (f"/api/v1/shows/{HUGE}/", 404),
        (f"/api/v1/shows/{HUGE}/seasons/{HUGE}/", 404),
        (f"/api/v1/movies/?genre={HUGE}", 200),
        ("/api/v1/search/?q=%27%22%3B--%20drop%20table%20movies", 200),
        ("/api/v1/search/?q=the&type=person", 200),
        ("/api/v1/movies/?q=!!!", 200),
        (f"/api/v1/movies/popular/?page={HUGE}", 400),
    ],
)
def test_huge_ids_and_odd_queries_get_a_clear_answer_never_a_500(api_client, url, status):
    response = api_client.get(url)

    assert response.status_code == status
    assert response.json()["success"] is (status == 200)
