"""export_recommendations: userId,movieId,rank with MovieLens ids where they exist."""

import csv

from django.core.management import call_command

from apps.accounts.tests.factories import UserFactory
from apps.catalog.models import Movie
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add

# Fixtures of the serving tests (the project keeps one conftest.py).
models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world


def test_export_writes_top_k_per_user_with_movielens_ids_where_known(trained_world, tmp_path):
    for offset, movie in enumerate(trained_world.movies):
        Movie.objects.filter(pk=movie.pk).update(movielens_id=1000 + offset)
    native = trained_world.comedy[-1]
    Movie.objects.filter(pk=native.pk).update(movielens_id=None)
    from_movielens = UserFactory(username="ml_42")
    interactions_add(from_movielens, trained_world.scifi[:2], "rating", rating=5)
    ours = UserFactory(username="ml_fan")
    interactions_add(ours, trained_world.romance[:1])
    out = tmp_path / "export" / "recs.csv"

    call_command("export_recommendations", "--k", "3", "--out", str(out), verbosity=0)

    rows = list(csv.reader(out.open()))
    assert rows[0] == ["userId", "movieId", "rank"]
    body = rows[1:]
    users = {row[0] for row in body}
    assert "42" in users and str(ours.id) in users and "ml_fan" not in users
    assert len(users) == 22 + 2
    for user in users:
        assert [row[2] for row in body if row[0] == user] == ["1", "2", "3"]
    known = {str(1000 + i) for i in range(len(trained_world.movies))} | {str(native.id)}
    assert {row[1] for row in body} <= known
    mine = [row[1] for row in body if row[0] == "42"]
    rated = {str(Movie.objects.get(pk=m.pk).movielens_id) for m in trained_world.scifi[:2]}
    assert not set(mine) & rated
    scifi = {str(Movie.objects.get(pk=m.pk).movielens_id) for m in trained_world.scifi}
    assert set(mine) <= scifi


def test_export_rejects_a_k_out_of_range(trained_world, tmp_path):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_recommendations", "--k", "0", "--out", str(tmp_path / "x.csv"))
