"""Experiments: users split into arms deterministically, lists follow the arm, counts per arm."""

from decimal import Decimal

from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.recommendations.experiments import arm_for, experiments_changed, user_point
from apps.recommendations.models import (
    Experiment,
    ExperimentArm,
    RecommendationImpression,
    UserRecommendation,
)
from apps.recommendations.tests import fixtures
from apps.recommendations.tests.fixtures import interactions_add
from conftest import client_for

models_in_tmp = fixtures.models_in_tmp
world = fixtures.world
trained_world = fixtures.trained_world

URL = reverse("me-recommendations")


def _experiment(*arms) -> Experiment:
    experiment = Experiment.objects.create(name="engines-2026", is_active=True)
    for name, share, engine in arms:
        ExperimentArm.objects.create(
            experiment=experiment, name=name, share=Decimal(share), engine=engine
        )
    experiments_changed()
    return experiment


def test_assignment_is_a_stable_function_of_experiment_and_user(db):
    _experiment(("control", "0.5", "hybrid"), ("content", "0.3", "content"))
    users = range(1, 2001)
    first = [arm_for(user_id=u) for u in users]
    again = [arm_for(user_id=u) for u in users]

    assert [a and a.name for a in first] == [a and a.name for a in again]
    counts = {
        name: sum(1 for a in first if (a and a.name) == name)
        for name in ("control", "content", None)
    }
    # Shares hold to within a few percent over 2,000 users; 20 % are outside every arm.
    assert 900 < counts["control"] < 1100 and 520 < counts["content"] < 680
    assert 330 < counts[None] < 470
    assert user_point("engines-2026", 7) != user_point("another", 7)


def test_no_running_experiment_puts_nobody_in_an_arm(db):
    Experiment.objects.create(name="stopped", is_active=False)
    experiments_changed()
    assert arm_for(user_id=1) is None


def _user_in(arm_name: str | None, trained_world):
    for _ in range(200):
        user = UserFactory()
        arm = arm_for(user_id=user.id)
        if (arm.name if arm else None) == arm_name:
            interactions_add(user, trained_world.scifi[:2])
            return user
    raise AssertionError(f"no user fell in {arm_name}")


def test_an_arm_decides_the_default_list_and_its_rows_and_impressions_carry_the_arm(
    trained_world, django_capture_on_commit_callbacks
):
    _experiment(("content-first", "0.5", "content"))
    inside, outside = _user_in("content-first", trained_world), _user_in(None, trained_world)

    inside_items = client_for(inside).get(URL, {"limit": 5}).json()["data"]
    outside_items = client_for(outside).get(URL, {"limit": 5}).json()["data"]

    assert {item["engine"] for item in inside_items} == {"content"}
    assert {item["engine"] for item in outside_items} == {"hybrid"}
    arm = ExperimentArm.objects.get(name="content-first")
    assert set(UserRecommendation.objects.filter(user=inside).values_list("arm", flat=True)) == {
        arm.id
    }
    assert set(UserRecommendation.objects.filter(user=outside).values_list("arm", flat=True)) == {
        None
    }
    counted = {
        (row.engine, row.experiment, row.arm): row.impressions
        for row in RecommendationImpression.objects.all()
    }
    assert counted == {("content", "engines-2026", "content-first"): 5, ("hybrid", "", ""): 5}

    row = UserRecommendation.objects.filter(user=inside, rank=1).get()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(inside).post(reverse("recommendation-click", args=[row.id]))
    clicked = UserRecommendation.objects.filter(clicked=True).values_list("algorithm", "arm__name")
    assert list(clicked) == [("content", "content-first")]


def test_users_outside_the_experiment_get_the_same_list_as_without_it(trained_world):
    user = next(
        u for u in (UserFactory() for _ in range(200)) if user_point("engines-2026", u.id) >= 0.5
    )
    interactions_add(user, trained_world.scifi[:2])
    client = client_for(user)
    before = client.get(URL, {"limit": 10}).json()["data"]

    _experiment(("content-first", "0.5", "content"))
    assert arm_for(user_id=user.id) is None
    after = client.get(URL, {"limit": 10}).json()["data"]

    assert [(i["movie"]["id"], i["score"]) for i in after] == [
        (i["movie"]["id"], i["score"]) for i in before
    ]


def test_a_hybrid_arm_with_its_own_blend_changes_its_users_scores(trained_world):
    experiment = Experiment.objects.create(name="blend", is_active=True)
    ExperimentArm.objects.create(
        experiment=experiment,
        name="popular",
        share=Decimal("1"),
        engine="hybrid",
        weights={"popularity": 1.0},
    )
    experiments_changed()
    user = UserFactory()
    interactions_add(user, trained_world.scifi[:2])

    items = client_for(user).get(URL, {"limit": 4}).json()["data"]

    comedy = {movie.id for movie in trained_world.comedy}
    assert {item["movie"]["id"] for item in items} == comedy


def test_refreshing_every_user_stores_each_one_the_list_of_their_arm(trained_world):
    """recommendations_refresh_all (after training) groups users by arm: an arm is not
    hashable (its blend is a dict), so the groups are keyed by the arm's id."""
    from apps.recommendations.services import recommendations_refresh_all

    _experiment(("content-first", "0.5", "content"))
    inside, outside = _user_in("content-first", trained_world), _user_in(None, trained_world)

    assert recommendations_refresh_all() >= 2

    arm = ExperimentArm.objects.get(name="content-first")
    listed = UserRecommendation.objects.filter(rank__isnull=False)
    assert set(listed.filter(user=inside).values_list("algorithm", "arm_id")) == {
        ("content", arm.id)
    }
    assert set(listed.filter(user=outside).values_list("algorithm", "arm_id")) == {("hybrid", None)}
