"""The editors' admin: an editor (not a superuser) curates and edits the catalog, nothing
else; a staff user without the group cannot; a save shows on the home page at once."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.catalog.models import Movie
from apps.catalog.tests.factories import MovieFactory, RatedMovieFactory
from apps.feed.editors import EDITORS_GROUP
from apps.feed.models import Collection, CollectionItem, NewsArticle
from apps.feed.tests.factories import CollectionFactory, NewsArticleFactory
from conftest import client_for

pytestmark = pytest.mark.django_db

HOME = "/api/v1/feed/home/"
PASSWORD = "correct-horse-battery-staple"


def logged_in(user) -> Client:
    """A browser session that logged in through the admin's own login form."""
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": user.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def editor():
    user = UserFactory(is_staff=False)
    call_command("create_editor_group", user=[user.email], stdout=open("/dev/null", "w"))  # noqa: SIM115
    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser
    return user


def news_form(**overrides) -> dict:
    return {
        "title": "Festival winners",
        "slug": "festival-winners",
        "summary": "Who won",
        "image_url": "",
        "body_format": "markdown",
        "body": "The **winners** are in.",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        **overrides,
    }


def news_on_home(client) -> list[str]:
    sections = client.get(HOME).json()["data"]["sections"]
    return [card["title"] for card in next(s for s in sections if s["key"] == "news")["items"]]


def test_create_editor_group_is_idempotent_and_holds_only_editor_permissions(editor):
    from django.contrib.auth.models import Group

    call_command("create_editor_group", stdout=open("/dev/null", "w"))  # noqa: SIM115

    group = Group.objects.get(name=EDITORS_GROUP)
    apps = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert apps == {"feed", "catalog"}
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_movie", "add_newsarticle", "change_collection", "view_tmdblist"} <= codenames
    assert "change_tmdblist" not in codenames
    assert Group.objects.filter(name=EDITORS_GROUP).count() == 1


def test_an_editor_publishes_news_through_the_admin_and_it_shows_at_once(
    editor, user, api_client, django_capture_on_commit_callbacks
):
    client = logged_in(editor)
    reader = client_for(user)
    assert news_on_home(api_client) == []  # cached now
    assert news_on_home(reader) == []  # the reader's own page too

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/feed/newsarticle/add/", news_form())

    assert response.status_code == 302, response.content[:2000]
    article = NewsArticle.objects.get(slug="festival-winners")
    assert article.author == editor
    assert article.body_html == "<p>The <strong>winners</strong> are in.</p>"
    assert news_on_home(api_client) == ["Festival winners"]
    assert news_on_home(reader) == ["Festival winners"]


def test_an_editor_orders_a_collection_by_position(editor, api_client):
    collection = CollectionFactory(title="Noir", slug="noir")
    first, second = MovieFactory(title="Laura"), MovieFactory(title="Gilda")
    client = logged_in(editor)

    response = client.post(
        f"/admin/feed/collection/{collection.pk}/change/",
        {
            "title": "Noir",
            "slug": "noir",
            "description": "",
            "position": "0",
            "publish_start_0": timezone.now().strftime("%Y-%m-%d"),
            "publish_start_1": "00:00:00",
            "publish_end_0": "",
            "publish_end_1": "",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-position": "2",
            "items-0-movie": str(first.pk),
            "items-0-show": "",
            "items-0-note": "",
            "items-1-position": "1",
            "items-1-movie": str(second.pk),
            "items-1-show": "",
            "items-1-note": "",
        },
    )

    assert response.status_code == 302, response.content[:3000]
    assert CollectionItem.objects.filter(collection=collection).count() == 2
    body = api_client.get("/api/v1/collections/noir/").json()["data"]
    assert [item["title"] for item in body["items"]] == ["Gilda", "Laura"]


def test_an_editor_edits_the_catalog(editor, django_capture_on_commit_callbacks):
    movie = MovieFactory(title="Teh Thing")
    client = logged_in(editor)

    page = client.get(f"/admin/catalog/movie/{movie.pk}/change/")
    assert page.status_code == 200
    response = client.post(
        "/admin/catalog/movie/",
        {"action": "mark_original", "_selected_action": [movie.pk], "index": "0"},
    )

    assert response.status_code == 302
    assert Movie.objects.get(pk=movie.pk).is_original is True


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/auth/group/",
        "/admin/interactions/interaction/",
        "/admin/recommendations/userrecommendation/",
    ],
)
def test_an_editor_cannot_reach_anything_else(editor, url):
    response = logged_in(editor).get(url)

    assert response.status_code in (403, 404)


def test_a_staff_user_without_the_group_cannot_curate(api_client):
    staff = UserFactory(is_staff=True)
    client = logged_in(staff)

    assert client.get("/admin/feed/newsarticle/add/").status_code == 403
    response = client.post("/admin/feed/newsarticle/add/", news_form())
    assert response.status_code == 403
    assert not NewsArticle.objects.exists()
    assert client.get("/admin/feed/collection/preview/").status_code == 403
    assert client.get("/admin/catalog/movie/").status_code == 403


def test_the_preview_shows_every_section_computed_afresh(editor, api_client):
    api_client.get(HOME)  # cached before the article exists
    NewsArticleFactory(title="Fresh off the press")
    RatedMovieFactory(title="Popular one")

    page = logged_in(editor).get("/admin/feed/collection/preview/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Fresh off the press" in text and "Popular one" in text
    assert "Editors&#x27; picks" in text or "Editors' picks" in text


def test_deleting_a_collection_in_the_admin_drops_it_from_the_page(
    editor, api_client, django_capture_on_commit_callbacks
):
    collection = CollectionFactory(title="Gone soon")
    sections = api_client.get(HOME).json()["data"]["sections"]
    picks = next(s for s in sections if s["key"] == "editors_picks")["items"]
    assert [c["title"] for c in picks] == ["Gone soon"]

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(editor).post(
            f"/admin/feed/collection/{collection.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Collection.objects.exists()
    sections = api_client.get(HOME).json()["data"]["sections"]
    assert next(s for s in sections if s["key"] == "editors_picks")["items"] == []


def test_an_editor_creates_a_show_without_a_tmdb_id(editor):
    from apps.catalog.models import TVShow

    client = logged_in(editor)
    response = client.post(
        "/admin/catalog/tvshow/add/",
        {
            "tmdb_id": "",
            "name": "Nexus Original Series",
            "original_name": "",
            "overview": "",
            "tagline": "",
            "status": "",
            "number_of_seasons": "0",
            "number_of_episodes": "0",
            "tmdb_vote_count": "0",
            "popularity_score": "0",
            "original_language": "",
            "is_original": "on",
            "is_active": "on",
            "genre_links-TOTAL_FORMS": "0",
            "genre_links-INITIAL_FORMS": "0",
            "seasons-TOTAL_FORMS": "0",
            "seasons-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content[:3000]
    show = TVShow.objects.get(name="Nexus Original Series")
    assert show.tmdb_id is None and show.is_original
