"""Recompute movie aggregates (likes, dislikes, views, ratings) from the interaction rows."""

from django.core.management.base import BaseCommand, CommandError

from apps.catalog.models import Movie
from apps.interactions.services.aggregates import movie_aggregates_recount
from apps.interactions.services.effects import movie_details_invalidate_on_commit


class Command(BaseCommand):
    help = (
        "Recompute like_count, dislike_count, view_count, rating_count, rating_sum and "
        "our_rating from user_movie_interactions (all movies, or the ids given)."
    )

    def add_arguments(self, parser):
        parser.add_argument("movie_ids", nargs="*", type=int, help="Only these movies.")

    def handle(self, *args, movie_ids, **options):
        if any(movie_id < 1 for movie_id in movie_ids):
            raise CommandError("Movie ids are positive integers.")
        ids = movie_ids or list(Movie.objects.order_by("pk").values_list("pk", flat=True))
        changed = movie_aggregates_recount(
            movie_ids=ids,
            progress=lambda done, total: self.stdout.write(f"{done}/{total} movies recounted"),
        )
        movie_details_invalidate_on_commit(changed)
        self.stdout.write(
            self.style.SUCCESS(f"Recounted {len(set(ids))} movies, {len(changed)} changed.")
        )
