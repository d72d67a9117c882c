"""Writes and business rules of the interactions app (one module per resource)."""

from apps.interactions.services.counters import counters_fold
from apps.interactions.services.episode_reviews import episode_review_submit
from apps.interactions.services.lists import (
    MAX_ITEMS_PER_LIST,
    MAX_LISTS_PER_USER,
    ListLimitReached,
    user_list_create,
    user_list_delete,
    user_list_item_add,
    user_list_item_move,
    user_list_item_remove,
    user_list_update,
)
from apps.interactions.services.movie_interactions import (
    REPEAT_WINDOW,
    UNSET,
    InteractionOutcome,
    dislike_add,
    favorite_add,
    like_add,
    membership_add,
    membership_remove,
    movie_for_write,
    rating_remove,
    rating_set,
    share_record,
    view_record,
    watchlist_add,
)

__all__ = [
    "MAX_ITEMS_PER_LIST",
    "MAX_LISTS_PER_USER",
    "REPEAT_WINDOW",
    "UNSET",
    "InteractionOutcome",
    "ListLimitReached",
    "counters_fold",
    "dislike_add",
    "episode_review_submit",
    "favorite_add",
    "like_add",
    "membership_add",
    "membership_remove",
    "movie_for_write",
    "rating_remove",
    "rating_set",
    "share_record",
    "user_list_create",
    "user_list_delete",
    "user_list_item_add",
    "user_list_item_move",
    "user_list_item_remove",
    "user_list_update",
    "view_record",
    "watchlist_add",
]
