"""lists/, lists/{id}/, lists/{id}/items/, lists/{id}/items/{movie_id}/, lists/shared/{slug}/."""

import pytest
from rest_framework.test import APIClient

from apps.interactions.models import UserList, UserListItem
from apps.interactions.services import lists as list_services
from apps.interactions.tests.factories import (
    GenreFactory,
    MovieFactory,
    UserListFactory,
    UserListItemFactory,
)

pytestmark = pytest.mark.django_db


def forced_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def positions(user_list) -> list[tuple[int, int]]:
    return list(
        UserListItem.objects.filter(user_list=user_list)
        .order_by("position")
        .values_list("movie_id", "position")
    )


def test_creating_a_list_twice_with_the_same_body_returns_the_same_list(auth_client, user):
    body = {"name": "Sunday", "description": "slow films", "is_public": True}

    first = auth_client.post("/api/v1/lists/", body, format="json")
    second = auth_client.post("/api/v1/lists/", body, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["data"]["id"] == second.json()["data"]["id"]
    assert first.json()["data"]["item_count"] == 0
    assert UserList.objects.filter(user=user).count() == 1


def test_the_same_name_with_other_settings_is_a_409(auth_client):
    auth_client.post("/api/v1/lists/", {"name": "Sunday"}, format="json")

    response = auth_client.post(
        "/api/v1/lists/", {"name": "SUNDAY", "is_public": True}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "list_name_taken"


def test_two_users_may_use_the_same_list_name(auth_client, other_client):
    assert auth_client.post("/api/v1/lists/", {"name": "Best"}, format="json").status_code == 201
    assert other_client.post("/api/v1/lists/", {"name": "Best"}, format="json").status_code == 201


def test_a_list_without_a_name_is_a_400(auth_client):
    response = auth_client.post("/api/v1/lists/", {"name": ""}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]


def test_my_lists_show_only_mine_with_sizes_in_a_fixed_number_of_queries(
    user, other_user, django_assert_num_queries
):
    for _ in range(5):
        UserListItemFactory(user_list=UserListFactory(user=user))
    UserListFactory(user=other_user)
    client = forced_client(user)

    with django_assert_num_queries(2):
        response = client.get("/api/v1/lists/")

    data = response.json()["data"]
    assert len(data) == 5
    assert all(item["item_count"] == 1 for item in data)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "", None),
        ("patch", "", {"name": "Mine now"}),
        ("delete", "", None),
        ("get", "items/", None),
        ("post", "items/", {"movie_id": None}),
        ("patch", "items/{movie_id}/", {"position": 1}),
        ("delete", "items/{movie_id}/", None),
    ],
)
@pytest.mark.parametrize("is_public", [False, True])
def test_another_users_list_answers_404_on_every_route(
    other_client, user, method, path, body, is_public
):
    user_list = UserListFactory(user=user, name="Private", is_public=is_public)
    item = UserListItemFactory(user_list=user_list)
    if body and "movie_id" in body:
        body = {"movie_id": MovieFactory().pk}
    url = f"/api/v1/lists/{user_list.pk}/" + path.format(movie_id=item.movie_id)

    response = getattr(other_client, method)(url, body, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] in {"not_found", "list_not_found"}
    user_list.refresh_from_db()
    assert user_list.name == "Private"
    assert positions(user_list) == [(item.movie_id, item.position)]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "lists/"),
        ("post", "lists/"),
        ("get", "lists/{id}/"),
        ("patch", "lists/{id}/"),
        ("delete", "lists/{id}/"),
        ("get", "lists/{id}/items/"),
        ("post", "lists/{id}/items/"),
        ("delete", "lists/{id}/items/1/"),
    ],
)
def test_list_routes_refuse_anonymous_clients_with_401(api_client, user, method, path):
    user_list = UserListFactory(user=user)

    response = getattr(api_client, method)(
        "/api/v1/" + path.format(id=user_list.pk), {}, format="json"
    )

    assert response.status_code == 401


def test_owner_renames_and_publishes_a_list(auth_client, user):
    user_list = UserListFactory(user=user)

    response = auth_client.patch(
        f"/api/v1/lists/{user_list.pk}/", {"name": "Renamed", "is_public": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Renamed"
    user_list.refresh_from_db()
    assert (user_list.name, user_list.is_public) == ("Renamed", True)


def test_renaming_to_a_name_already_used_is_a_409(auth_client, user):
    UserListFactory(user=user, name="Taken")
    user_list = UserListFactory(user=user, name="Other")

    response = auth_client.patch(f"/api/v1/lists/{user_list.pk}/", {"name": "taken"}, format="json")

    assert response.status_code == 409


def test_owner_deletes_a_list_with_its_items(auth_client, user):
    user_list = UserListFactory(user=user)
    UserListItemFactory(user_list=user_list)

    response = auth_client.delete(f"/api/v1/lists/{user_list.pk}/")

    assert response.status_code == 204
    assert not UserList.objects.filter(pk=user_list.pk).exists()
    assert not UserListItem.objects.exists()


def test_adding_movies_appends_and_a_position_inserts(auth_client, user):
    user_list = UserListFactory(user=user)
    first, second, third = MovieFactory(), MovieFactory(), MovieFactory()
    url = f"/api/v1/lists/{user_list.pk}/items/"

    assert auth_client.post(url, {"movie_id": first.pk}, format="json").status_code == 201
    auth_client.post(url, {"movie_id": second.pk}, format="json")
    response = auth_client.post(url, {"movie_id": third.pk, "position": 1}, format="json")

    assert response.json()["data"] == {
        "list_id": user_list.pk,
        "movie_id": third.pk,
        "in_list": True,
        "position": 1,
    }
    assert positions(user_list) == [(third.pk, 1), (first.pk, 2), (second.pk, 3)]


def test_adding_a_movie_already_in_the_list_answers_200_without_a_duplicate(auth_client, user):
    user_list = UserListFactory(user=user)
    movie = MovieFactory()
    url = f"/api/v1/lists/{user_list.pk}/items/"
    auth_client.post(url, {"movie_id": movie.pk}, format="json")

    response = auth_client.post(url, {"movie_id": movie.pk}, format="json")

    assert response.status_code == 200
    assert positions(user_list) == [(movie.pk, 1)]


@pytest.mark.parametrize("movie_id", [999_999, "abc", None, -1, 2**70])
def test_adding_an_unknown_or_invalid_movie_is_refused(auth_client, user, movie_id):
    user_list = UserListFactory(user=user)

    response = auth_client.post(
        f"/api/v1/lists/{user_list.pk}/items/", {"movie_id": movie_id}, format="json"
    )

    assert response.status_code in {400, 404}
    assert response.json()["success"] is False
    assert not UserListItem.objects.exists()


def test_adding_an_inactive_movie_is_a_404(auth_client, user):
    user_list = UserListFactory(user=user)

    response = auth_client.post(
        f"/api/v1/lists/{user_list.pk}/items/",
        {"movie_id": MovieFactory(is_active=False).pk},
        format="json",
    )

    assert response.status_code == 404


def test_moving_an_item_shifts_the_ones_between(auth_client, user):
    user_list = UserListFactory(user=user)
    movies = [MovieFactory() for _ in range(4)]
    for index, movie in enumerate(movies, start=1):
        UserListItemFactory(user_list=user_list, movie=movie, position=index)

    response = auth_client.patch(
        f"/api/v1/lists/{user_list.pk}/items/{movies[0].pk}/", {"position": 3}, format="json"
    )

    assert response.status_code == 200
    assert positions(user_list) == [
        (movies[1].pk, 1),
        (movies[2].pk, 2),
        (movies[0].pk, 3),
        (movies[3].pk, 4),
    ]


def test_moving_a_movie_that_is_not_in_the_list_is_a_404(auth_client, user):
    user_list = UserListFactory(user=user)

    response = auth_client.patch(
        f"/api/v1/lists/{user_list.pk}/items/{MovieFactory().pk}/", {"position": 1}, format="json"
    )

    assert response.status_code == 404


def test_removing_an_item_closes_the_gap_and_removing_it_again_answers_200(auth_client, user):
    user_list = UserListFactory(user=user)
    movies = [MovieFactory() for _ in range(3)]
    for index, movie in enumerate(movies, start=1):
        UserListItemFactory(user_list=user_list, movie=movie, position=index)
    url = f"/api/v1/lists/{user_list.pk}/items/{movies[0].pk}/"

    first = auth_client.delete(url)
    second = auth_client.delete(url)

    assert first.status_code == second.status_code == 200
    assert first.json()["data"]["in_list"] is False
    assert positions(user_list) == [(movies[1].pk, 1), (movies[2].pk, 2)]


def test_a_full_list_refuses_another_movie_with_409(auth_client, user, monkeypatch):
    monkeypatch.setattr(list_services, "MAX_ITEMS_PER_LIST", 1)
    user_list = UserListFactory(user=user)
    UserListItemFactory(user_list=user_list)

    response = auth_client.post(
        f"/api/v1/lists/{user_list.pk}/items/", {"movie_id": MovieFactory().pk}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "limit_reached"


def test_list_items_come_in_order_in_a_fixed_number_of_queries(user, django_assert_num_queries):
    user_list = UserListFactory(user=user)
    genre = GenreFactory()
    for position in range(12, 0, -1):
        UserListItemFactory(
            user_list=user_list, movie=MovieFactory(genres=[genre]), position=position
        )
    client = forced_client(user)

    # the list (owned), count, page, movies, genres
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/lists/{user_list.pk}/items/")

    assert [item["position"] for item in response.json()["data"]] == list(range(1, 13))


def test_anyone_reads_a_public_list_by_its_slug(api_client, user, django_assert_num_queries):
    user_list = UserListFactory(user=user, is_public=True, name="Noir")
    for position in range(1, 4):
        UserListItemFactory(user_list=user_list, position=position)

    with django_assert_num_queries(1):
        detail = api_client.get(f"/api/v1/lists/shared/{user_list.share_slug}/")
    with django_assert_num_queries(5):
        items = api_client.get(f"/api/v1/lists/shared/{user_list.share_slug}/items/")

    assert detail.status_code == 200
    assert detail.json()["data"]["owner"] == user.username
    assert detail.json()["data"]["item_count"] == 3
    assert [item["position"] for item in items.json()["data"]] == [1, 2, 3]


def test_a_private_list_is_not_readable_by_its_slug(api_client, other_client, user):
    user_list = UserListFactory(user=user, is_public=False)

    for client in (api_client, other_client):
        assert client.get(f"/api/v1/lists/shared/{user_list.share_slug}/").status_code == 404
        assert client.get(f"/api/v1/lists/shared/{user_list.share_slug}/items/").status_code == 404


def test_share_slugs_are_unguessable_and_unique(user):
    slugs = {UserListFactory(user=user).share_slug for _ in range(20)}

    assert len(slugs) == 20
    assert all(len(slug) >= 16 for slug in slugs)


def test_a_list_detail_is_one_query(user, django_assert_num_queries):
    user_list = UserListFactory(user=user)
    UserListItemFactory(user_list=user_list)
    client = forced_client(user)

    with django_assert_num_queries(1):
        response = client.get(f"/api/v1/lists/{user_list.pk}/")

    assert response.json()["data"]["item_count"] == 1
    assert response.json()["data"]["share_slug"] == user_list.share_slug


def test_the_admin_shows_a_list_with_its_items_read_only():
    from django.test import Client

    from apps.accounts.tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    item = UserListItemFactory(user_list=UserListFactory(name="<i>noir</i>"))
    client = Client()
    client.force_login(admin_user)

    response = client.get(f"/admin/interactions/userlist/{item.user_list_id}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;i&gt;noir&lt;/i&gt;" in html
    assert 'name="items-0-position"' not in html  # positions are not editable by hand


@pytest.mark.parametrize(
    "path", [f"lists/{10**20}/", f"lists/{10**20}/items/", "lists/1/items/{huge}/"]
)
def test_ids_too_large_for_the_database_are_404(auth_client, user, path):
    user_list = UserListFactory(user=user)
    url = "/api/v1/" + path.replace("lists/1/", f"lists/{user_list.pk}/").format(huge=10**20)

    assert auth_client.get(url).status_code in {404, 405}
    assert auth_client.delete(url).status_code == 404
