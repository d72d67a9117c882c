"""Experiments: which arm a user is in, and what that arm changes.

Assignment is a pure function of the running experiment's name, its arms (in id order, with
their shares) and the user id: a SHA-256 of "<experiment>:<user id>" read as a number in
[0, 1) falls into one arm's slice of [0, total share) or outside every arm. The same user is
in the same arm on every request and every process, with no stored assignment; users outside
the arms are served exactly as with no experiment. Changing the shares moves only the users
whose point changes slice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from apps.core.cache import cached, namespace_invalidate
from apps.recommendations.models import Experiment, RecommendationState

EXPERIMENTS_NAMESPACE = "recs:experiments"
EXPERIMENTS_TTL = 10 * 60


@dataclass(frozen=True)
class Arm:
    """What an arm serves: an engine, and for the hybrid, optionally its own blend."""

    id: int
    experiment: str
    name: str
    start: float
    end: float
    engine: str
    weights: dict = field(default_factory=dict)


def _running() -> list[Arm]:
    experiment = Experiment.objects.filter(is_active=True).prefetch_related("arms").first()
    if experiment is None:
        return []
    arms, start = [], Decimal(0)
    for arm in sorted(experiment.arms.all(), key=lambda arm: arm.id):
        end = min(Decimal(1), start + arm.share)
        arms.append(
            Arm(
                arm.id,
                experiment.name,
                arm.name,
                float(start),
                float(end),
                arm.engine,
                dict(arm.weights or {}),
            )
        )
        start = end
    return arms


def running_arms() -> list[Arm]:
    """The arms of the running experiment (cached; dropped whenever experiments change)."""
    return cached(EXPERIMENTS_NAMESPACE, ("arms",), EXPERIMENTS_TTL, _running)


def user_point(experiment: str, user_id: int) -> float:
    """Where a user falls in [0, 1) for ``experiment``: stable, and independent between
    experiments."""
    digest = hashlib.sha256(f"{experiment}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def arm_for(*, user_id: int, arms: list[Arm] | None = None) -> Arm | None:
    """The user's arm in the running experiment, or None (outside, or no experiment)."""
    arms = running_arms() if arms is None else arms
    if not arms:
        return None
    point = user_point(arms[0].experiment, user_id)
    return next((arm for arm in arms if arm.start <= point < arm.end), None)


def experiments_changed() -> None:
    """An experiment or arm changed: every cached assignment goes, and every user's lists
    are stale, so each is recomputed with its (possibly new) arm at the next read."""
    namespace_invalidate(EXPERIMENTS_NAMESPACE)
    RecommendationState.objects.update(change_count=F("change_count") + 1)
