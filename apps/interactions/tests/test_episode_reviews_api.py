"""GET and POST episodes/{id}/reviews/, and how the admin shows review text."""

import pytest
from django.test import Client

from apps.accounts.tests.factories import UserFactory
from apps.interactions.models import EpisodeReview
from apps.interactions.tests.factories import EpisodeFactory, EpisodeReviewFactory, ShowFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script> & <b>bold</b>'


def reviews_url(episode) -> str:
    return f"/api/v1/episodes/{episode.pk}/reviews/"


def test_a_first_review_is_created_and_a_second_post_updates_it(auth_client, user):
    episode = EpisodeFactory()

    first = auth_client.post(reviews_url(episode), {"rating": 8, "review": "Tense."}, format="json")
    second = auth_client.post(reviews_url(episode), {"rating": 6}, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["data"]["id"] == second.json()["data"]["id"]
    review = EpisodeReview.objects.get(user=user, episode=episode)
    assert (review.rating, review.review) == (6, "")


def test_a_post_writes_only_the_callers_review_never_another_users(auth_client, user):
    episode = EpisodeFactory()
    theirs = EpisodeReviewFactory(episode=episode, rating=2, review="Dull.")

    response = auth_client.post(
        reviews_url(episode), {"rating": 9, "review": "Great."}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["data"]["id"] != theirs.pk
    theirs.refresh_from_db()
    assert (theirs.rating, theirs.review) == (2, "Dull.")
    assert EpisodeReview.objects.get(user=user, episode=episode).rating == 9


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0},
        {"rating": 11},
        {"rating": "seven"},
        {"rating": 5.5},
        {},
        {"rating": 5, "review": "x" * 201},
        {"rating": 5, "review": "nul\x00byte"},
    ],
)
def test_invalid_reviews_are_a_400(auth_client, body):
    episode = EpisodeFactory()

    response = auth_client.post(reviews_url(episode), body, format="json")

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert not EpisodeReview.objects.exists()


def test_review_text_is_stored_exactly_as_given(auth_client, user):
    episode = EpisodeFactory()
    text = "  " + SCRIPT + "  "

    response = auth_client.post(reviews_url(episode), {"rating": 9, "review": text}, format="json")

    assert response.json()["data"]["review"] == text
    assert EpisodeReview.objects.get(user=user).review == text


def test_anonymous_clients_read_reviews_but_cannot_write_them(api_client):
    episode = EpisodeFactory()
    EpisodeReviewFactory(episode=episode)

    assert api_client.get(reviews_url(episode)).status_code == 200
    response = api_client.post(reviews_url(episode), {"rating": 5}, format="json")
    assert response.status_code == 401


def test_reviews_are_listed_with_the_average_of_the_visible_ones(
    api_client, django_assert_num_queries
):
    episode = EpisodeFactory()
    for rating in (6, 9, 10):
        EpisodeReviewFactory(episode=episode, rating=rating)
    EpisodeReviewFactory(episode=episode, rating=1, active=False)
    EpisodeReviewFactory(rating=2)  # another episode

    # the episode, the summary, count, page with authors
    with django_assert_num_queries(4):
        response = api_client.get(reviews_url(episode))

    body = response.json()
    assert body["data"]["average_rating"] == pytest.approx(8.33)
    assert body["data"]["review_count"] == 3
    assert sorted(review["rating"] for review in body["data"]["results"]) == [6, 9, 10]
    assert body["pagination"]["total"] == 3


def test_an_episode_without_reviews_has_no_average(api_client):
    response = api_client.get(reviews_url(EpisodeFactory()))

    assert response.json()["data"] == {"average_rating": None, "review_count": 0, "results": []}


def test_unknown_episodes_and_episodes_of_hidden_shows_are_404(auth_client):
    hidden = EpisodeFactory(season__show=ShowFactory(is_active=False))

    assert auth_client.get("/api/v1/episodes/987654/reviews/").status_code == 404
    assert auth_client.get(reviews_url(hidden)).status_code == 404
    response = auth_client.post(reviews_url(hidden), {"rating": 5}, format="json")
    assert response.status_code == 404


def test_a_second_post_keeps_a_review_hidden_by_moderation_hidden(auth_client, user):
    episode = EpisodeFactory()
    EpisodeReviewFactory(episode=episode, user=user, active=False)

    auth_client.post(reviews_url(episode), {"rating": 10}, format="json")

    assert EpisodeReview.objects.get(user=user).active is False


def test_the_admin_shows_review_text_escaped():
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    review = EpisodeReviewFactory(review=SCRIPT)
    client = Client()
    client.force_login(admin_user)

    changelist = client.get("/admin/interactions/episodereview/")
    change = client.get(f"/admin/interactions/episodereview/{review.pk}/change/")

    for response in (changelist, change):
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;" in html


def test_an_episode_id_too_large_for_the_database_is_404(auth_client):
    url = f"/api/v1/episodes/{10**20}/reviews/"

    assert auth_client.get(url).status_code == 404
    assert auth_client.post(url, {"rating": 5}, format="json").status_code == 404
