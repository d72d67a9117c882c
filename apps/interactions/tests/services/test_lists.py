"""apps/interactions/services/lists.py, called directly. Ownership is not checked here: the
views look the list up among the caller's own (tests/test_user_lists_api.py)."""

import pytest

from apps.core.exceptions import Conflict, NotFound
from apps.interactions.models import UserList, UserListItem
from apps.interactions.services import lists as list_services
from apps.interactions.services.lists import (
    ListLimitReached,
    user_list_create,
    user_list_delete,
    user_list_item_add,
    user_list_item_move,
    user_list_item_remove,
    user_list_update,
)
from apps.interactions.tests.factories import MovieFactory, UserListFactory, UserListItemFactory

pytestmark = pytest.mark.django_db


def positions(user_list) -> list[tuple[int, int]]:
    return list(
        UserListItem.objects.filter(user_list=user_list)
        .order_by("position")
        .values_list("movie_id", "position")
    )


def test_user_list_create_is_idempotent_and_refuses_the_same_name_with_other_settings(user):
    first, created = user_list_create(user=user, name="Weekend", description="slow")
    again, created_again = user_list_create(user=user, name="Weekend", description="slow")

    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(Conflict):
        user_list_create(user=user, name="WEEKEND", is_public=True)


def test_user_list_create_stops_at_the_per_user_limit(user, monkeypatch):
    monkeypatch.setattr(list_services, "MAX_LISTS_PER_USER", 1)
    user_list_create(user=user, name="One")

    with pytest.raises(ListLimitReached):
        user_list_create(user=user, name="Two")


def test_user_list_update_changes_only_the_fields_given_and_refuses_a_taken_name(user):
    UserListFactory(user=user, name="Taken")
    user_list = UserListFactory(user=user, name="Mine", description="kept")

    user_list_update(user_list=user_list, name="Renamed", is_public=True, user_id=999)
    with pytest.raises(Conflict):
        user_list_update(user_list=user_list, name="taken")

    user_list.refresh_from_db()
    assert (user_list.name, user_list.description, user_list.is_public) == (
        "Renamed",
        "kept",
        True,
    )
    assert user_list.user_id == user.pk


def test_user_list_delete_removes_the_list_with_its_items():
    user_list = UserListItemFactory().user_list

    user_list_delete(user_list=user_list)

    assert not UserList.objects.filter(pk=user_list.pk).exists()
    assert not UserListItem.objects.exists()
    with pytest.raises(NotFound):  # already gone: the lock finds nothing
        user_list_delete(user_list=user_list)


def test_user_list_item_add_appends_inserts_and_keeps_one_row_per_movie():
    user_list = UserListFactory()
    first, second, third = MovieFactory(), MovieFactory(), MovieFactory()

    user_list_item_add(user_list=user_list, movie_id=first.pk)
    user_list_item_add(user_list=user_list, movie_id=second.pk)
    _, created = user_list_item_add(user_list=user_list, movie_id=third.pk, position=1)
    _, created_again = user_list_item_add(user_list=user_list, movie_id=third.pk)

    assert (created, created_again) == (True, False)
    assert positions(user_list) == [(third.pk, 1), (first.pk, 2), (second.pk, 3)]
    with pytest.raises(NotFound):
        user_list_item_add(user_list=user_list, movie_id=MovieFactory(is_active=False).pk)


def test_user_list_item_move_shifts_the_items_between():
    user_list = UserListFactory()
    movies = [UserListItemFactory(user_list=user_list, position=n).movie for n in (1, 2, 3)]

    user_list_item_move(user_list=user_list, movie_id=movies[0].pk, position=99)

    assert positions(user_list) == [(movies[1].pk, 1), (movies[2].pk, 2), (movies[0].pk, 3)]
    with pytest.raises(NotFound):
        user_list_item_move(user_list=user_list, movie_id=MovieFactory().pk, position=1)


def test_user_list_item_remove_closes_the_gap_and_says_whether_it_was_there():
    user_list = UserListFactory()
    movies = [UserListItemFactory(user_list=user_list, position=n).movie for n in (1, 2, 3)]

    assert user_list_item_remove(user_list=user_list, movie_id=movies[1].pk) is True
    assert user_list_item_remove(user_list=user_list, movie_id=movies[1].pk) is False
    assert positions(user_list) == [(movies[0].pk, 1), (movies[2].pk, 2)]
