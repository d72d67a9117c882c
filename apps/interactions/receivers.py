"""Keeping movie aggregates right when a user is deleted (their rows cascade away).

pre_delete notes which movies the user touched; post_delete, still inside the deletion's
transaction and after the cascade removed the rows, recomputes those movies' aggregates.
"""

from django.db import transaction
from django.db.models.signals import post_delete, pre_delete

from apps.interactions.models import Interaction
from apps.interactions.services.aggregates import movie_aggregates_recompute
from apps.interactions.services.effects import movie_details_invalidate_on_commit

_ATTRIBUTE = "_interactions_movie_ids"


def connect(user_model) -> None:
    pre_delete.connect(_note_movies, sender=user_model, dispatch_uid="interactions_user_pre")
    post_delete.connect(_recount_movies, sender=user_model, dispatch_uid="interactions_user_post")


def _note_movies(sender, instance, **kwargs) -> None:
    setattr(
        instance,
        _ATTRIBUTE,
        list(
            Interaction.objects.filter(user_id=instance.pk)
            .values_list("movie_id", flat=True)
            .distinct()
        ),
    )


def _recount_movies(sender, instance, **kwargs) -> None:
    movie_ids = getattr(instance, _ATTRIBUTE, None)
    if not movie_ids:
        return
    with transaction.atomic():
        movie_aggregates_recompute(movie_ids=movie_ids)
        movie_details_invalidate_on_commit(movie_ids)
