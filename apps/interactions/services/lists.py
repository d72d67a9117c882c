"""Writes of user lists and their items.

Ownership is checked once, where the list is found: the views look list ids up among the
caller's own lists (apps.core.permissions.OwnedResourceMixin) and pass the list they found here.

Concurrency: a list's item writes lock the list row first (the list is the unit of ordering),
so positions stay 1..n without gaps and the item limit holds. Creating a list locks the user
row, so the per-user limit holds too. The unique constraints (one name per user without regard
to case, one row per movie in a list) back both up.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F

from apps.catalog.models import Movie
from apps.core.exceptions import Conflict, NotFound
from apps.interactions.models import UserList, UserListItem

MAX_LISTS_PER_USER = 100
MAX_ITEMS_PER_LIST = 1000


class ListLimitReached(Conflict):
    code = "limit_reached"
    default_message = "The limit has been reached."


def _list_locked(user_list: UserList) -> UserList:
    """The list's row, locked and fresh; NotFound if it was deleted since it was found."""
    locked = UserList.objects.select_for_update().filter(pk=user_list.pk).first()
    if locked is None:
        raise NotFound("List not found.", code="list_not_found")
    return locked


def _name_taken(*, user_id: int, name: str, exclude_id: int | None = None) -> UserList | None:
    queryset = UserList.objects.filter(user_id=user_id, name__iexact=name)
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    return queryset.first()


@transaction.atomic
def user_list_create(
    *, user, name: str, description: str = "", is_public: bool = False
) -> tuple[UserList, bool]:
    """Create a list; returns (list, created).

    Repeating the same request returns the existing list (idempotent); the same name with
    different settings is a Conflict (change a list with PATCH).
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    existing = _name_taken(user_id=user.pk, name=name)
    if existing is not None:
        if existing.description == description and existing.is_public == is_public:
            return existing, False
        raise Conflict(
            "You already have a list with this name.",
            code="list_name_taken",
            details={"name": ["You already have a list with this name."]},
        )
    if UserList.objects.filter(user=user).count() >= MAX_LISTS_PER_USER:
        raise ListLimitReached(f"A user may have at most {MAX_LISTS_PER_USER} lists.")
    user_list = UserList.objects.create(
        user=user, name=name, description=description, is_public=is_public
    )
    return user_list, True


@transaction.atomic
def user_list_update(*, user_list: UserList, **changes) -> UserList:
    """Change a list's name, description or visibility (only the fields given)."""
    user_list = _list_locked(user_list)
    name = changes.get("name")
    if name is not None and _name_taken(
        user_id=user_list.user_id, name=name, exclude_id=user_list.pk
    ):
        raise Conflict(
            "You already have a list with this name.",
            code="list_name_taken",
            details={"name": ["You already have a list with this name."]},
        )
    allowed = {"name", "description", "is_public"}
    for field, value in changes.items():
        if field in allowed:
            setattr(user_list, field, value)
    try:
        with transaction.atomic():
            user_list.save()
    except IntegrityError as exc:
        # Another request renamed a list of this user to the same name in between.
        raise Conflict("You already have a list with this name.", code="list_name_taken") from exc
    return user_list


@transaction.atomic
def user_list_delete(*, user_list: UserList) -> None:
    """Delete the list and its items."""
    _list_locked(user_list).delete()


def _active_movie(movie_id: int) -> Movie:
    movie = Movie.objects.filter(pk=movie_id, is_active=True).only("id").first()
    if movie is None:
        raise NotFound("Movie not found.", code="movie_not_found")
    return movie


def _move(user_list: UserList, item: UserListItem, target: int) -> None:
    """Move ``item`` to position ``target`` (1-based, clamped), shifting the ones between."""
    last = UserListItem.objects.filter(user_list=user_list).count()
    target = max(1, min(target, last))
    current = item.position
    if target == current:
        return
    items = UserListItem.objects.filter(user_list=user_list)
    if target < current:
        items.filter(position__gte=target, position__lt=current).update(position=F("position") + 1)
    else:
        items.filter(position__gt=current, position__lte=target).update(position=F("position") - 1)
    UserListItem.objects.filter(pk=item.pk).update(position=target)
    item.position = target


@transaction.atomic
def user_list_item_add(
    *, user_list: UserList, movie_id: int, position: int | None = None
) -> tuple[UserListItem, bool]:
    """Add a movie at ``position`` (default: the end); returns (item, created).

    Adding a movie already in the list is not an error: it stays (moved to ``position`` if one
    is given), so a repeated request leaves the same state.
    """
    user_list = _list_locked(user_list)
    movie = _active_movie(movie_id)
    item = UserListItem.objects.filter(user_list=user_list, movie=movie).first()
    if item is not None:
        if position is not None:
            _move(user_list, item, position)
            user_list.save(update_fields=["updated_at"])
        return item, False
    size = UserListItem.objects.filter(user_list=user_list).count()
    if size >= MAX_ITEMS_PER_LIST:
        raise ListLimitReached(f"A list may hold at most {MAX_ITEMS_PER_LIST} movies.")
    target = size + 1 if position is None else max(1, min(position, size + 1))
    UserListItem.objects.filter(user_list=user_list, position__gte=target).update(
        position=F("position") + 1
    )
    item = UserListItem.objects.create(user_list=user_list, movie=movie, position=target)
    user_list.save(update_fields=["updated_at"])
    return item, True


@transaction.atomic
def user_list_item_move(*, user_list: UserList, movie_id: int, position: int) -> UserListItem:
    """Move a movie already in the list to ``position`` (clamped to the list's length)."""
    user_list = _list_locked(user_list)
    item = UserListItem.objects.filter(user_list=user_list, movie_id=movie_id).first()
    if item is None:
        raise NotFound("This movie is not in the list.", code="list_item_not_found")
    _move(user_list, item, position)
    user_list.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def user_list_item_remove(*, user_list: UserList, movie_id: int) -> bool:
    """Remove a movie from the list, closing the gap; True if it was there."""
    user_list = _list_locked(user_list)
    item = UserListItem.objects.filter(user_list=user_list, movie_id=movie_id).first()
    if item is None:
        return False
    item.delete()
    UserListItem.objects.filter(user_list=user_list, position__gt=item.position).update(
        position=F("position") - 1
    )
    user_list.save(update_fields=["updated_at"])
    return True
