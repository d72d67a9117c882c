import datetime

import pytest
from django.utils import timezone

from apps.catalog.tests.factories import MovieFactory, PersonFactory, ShowFactory
from apps.feed.tests.factories import (
    CollectionFactory,
    CollectionItemFactory,
    NewsArticleFactory,
    hours_ago,
)

pytestmark = pytest.mark.django_db


def test_collections_lists_live_collections_in_the_editors_order(api_client):
    second = CollectionFactory(position=5)
    first = CollectionFactory(position=1)
    CollectionFactory(publish_start=None)
    CollectionItemFactory(collection=first, movie=MovieFactory())

    body = api_client.get("/api/v1/collections/").json()

    assert [row["slug"] for row in body["data"]] == [first.slug, second.slug]
    assert body["data"][0]["item_count"] == 1
    assert body["pagination"]["total"] == 2


def test_a_collection_lists_its_movies_and_shows_in_position_order(api_client):
    collection = CollectionFactory(description="Best of the year")
    movie, show = MovieFactory(title="Heat"), ShowFactory(name="The Wire")
    CollectionItemFactory(collection=collection, movie=movie, position=2, note="A classic")
    CollectionItemFactory(collection=collection, show=show, position=1)
    CollectionItemFactory(collection=collection, movie=MovieFactory(is_active=False), position=0)

    body = api_client.get(f"/api/v1/collections/{collection.slug}/").json()["data"]

    assert body["description"] == "Best of the year"
    assert [(i["kind"], i["target_id"], i["title"]) for i in body["items"]] == [
        ("show", show.pk, "The Wire"),
        ("movie", movie.pk, "Heat"),
    ]
    assert body["items"][1]["note"] == "A classic"


@pytest.mark.parametrize(
    "window",
    [
        {"publish_start": None},
        {"publish_start": timezone.now() + datetime.timedelta(days=1)},
        {"publish_start": hours_ago(4), "publish_end": hours_ago(2)},
    ],
)
def test_an_unpublished_collection_is_a_404(api_client, window):
    collection = CollectionFactory(**window)

    response = api_client.get(f"/api/v1/collections/{collection.slug}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "collection_not_found"


def test_news_lists_published_articles_newest_first(api_client):
    old = NewsArticleFactory(published_at=hours_ago(30))
    new = NewsArticleFactory(published_at=hours_ago(2))
    NewsArticleFactory(status="draft")

    body = api_client.get("/api/v1/news/").json()

    assert [row["slug"] for row in body["data"]] == [new.slug, old.slug]


def test_an_article_has_its_body_rendered_safely_and_its_related_movies_and_people(api_client):
    article = NewsArticleFactory(
        body=(
            "# Big news\n\nA **bold** move. <script>alert(1)</script>\n\n"
            "[click](javascript:alert(2)) [site](https://example.org)\n\n"
            '<img src=x onerror="alert(3)">'
        )
    )
    movie, person = MovieFactory(), PersonFactory()
    article.related_movies.add(movie, MovieFactory(is_active=False))
    article.related_people.add(person)

    body = api_client.get(f"/api/v1/news/{article.slug}/").json()["data"]

    html = body["body_html"]
    assert "<strong>bold</strong>" in html
    # Raw HTML is shown as text, never as tags; the javascript: link is not a link.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    assert 'href="https://example.org"' in html and "noopener" in html
    assert [m["id"] for m in body["related_movies"]] == [movie.pk]
    assert [p["id"] for p in body["related_people"]] == [person.pk]


def test_a_plain_text_article_is_escaped_paragraphs(api_client):
    article = NewsArticleFactory(body="One <b>line</b>\nand two\n\nNext", body_format="plain")

    html = api_client.get(f"/api/v1/news/{article.slug}/").json()["data"]["body_html"]

    assert html == "<p>One &lt;b&gt;line&lt;/b&gt;<br>and two</p><p>Next</p>"


def test_a_draft_article_is_a_404(api_client):
    article = NewsArticleFactory(status="draft")

    assert api_client.get(f"/api/v1/news/{article.slug}/").status_code == 404
