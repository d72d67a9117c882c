"""Trained engines on disk and in memory: save and activate a version, load the active one.

Each version lives in its own directory under VAR_DIR/models/<engine>/: ``engine.npz`` (the
algorithms side's artifact format) and ``items.npy`` (the movie id of each item index). The
directory is written completely before its registry row is activated, so a reader never sees
half a version. Serving keeps the loaded active version of each engine in process memory and
reloads when the registry names a newer one; a file that is missing or unreadable makes
``engine_get`` answer None (callers fall back to popularity), never an error.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.core.cache import cached, namespace_invalidate
from apps.core.logging import log_once
from apps.recommendations.engines import Engine
from apps.recommendations.engines.artifacts import engine_load, engine_save
from apps.recommendations.engines.base import History
from apps.recommendations.models import ModelArtifact

logger = logging.getLogger(__name__)

ENGINE_FILE = "engine.npz"
ITEMS_FILE = "items.npy"
ACTIVE_NAMESPACE = "recs:models"
ACTIVE_TTL = 10 * 60
RETRY_FAILED_AFTER = 60.0  # seconds before a broken artifact is tried again
KEEP_VERSIONS = 3


def models_root() -> Path:
    return Path(settings.VAR_DIR) / "models"


@dataclass(frozen=True)
class LoadedEngine:
    """An active engine in memory with the map between its item indexes and movie ids."""

    artifact_id: int
    name: str
    version: int
    engine: Engine
    item_ids: np.ndarray
    index_of: dict[int, int]
    sorted_ids: bool = False

    def movie_id(self, item: int) -> int:
        return int(self.item_ids[item])

    def items_of(self, movie_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Item indexes of ``movie_ids`` and a mask of those this engine knows (vectorised)."""
        movie_ids = np.asarray(movie_ids, dtype=np.int64)
        if self.sorted_ids:
            found = np.searchsorted(self.item_ids, movie_ids)
            found = np.minimum(found, max(len(self.item_ids) - 1, 0))
            known = self.item_ids[found] == movie_ids if len(self.item_ids) else found < 0
            return found.astype(np.int64), known
        found = np.fromiter(
            (self.index_of.get(int(m), -1) for m in movie_ids), np.int64, len(movie_ids)
        )
        return found, found >= 0


_lock = threading.Lock()
_loaded: dict[str, LoadedEngine] = {}
_failed: dict[int, float] = {}


def artifact_save(*, name: str, engine: Engine, item_ids: np.ndarray, stats: dict) -> ModelArtifact:
    """Write a fitted engine to a new version directory and make it the active version."""
    relative = f"{name}/{timezone.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    directory = models_root() / relative
    directory.mkdir(parents=True, exist_ok=False)
    try:
        engine_save(engine, directory / ENGINE_FILE)
        np.save(directory / ITEMS_FILE, np.asarray(item_ids, dtype=np.int64), allow_pickle=False)
        stats = {**stats, "bytes": (directory / ENGINE_FILE).stat().st_size}
        artifact = _artifact_activate(name=name, relative=relative, stats=stats)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    _versions_prune(name=name)
    return artifact


def _artifact_activate(*, name: str, relative: str, stats: dict) -> ModelArtifact:
    for attempt in range(3):
        try:
            with transaction.atomic():
                # Locking the active row serialises two trainings that finish at once.
                list(ModelArtifact.objects.select_for_update().filter(engine=name, is_active=True))
                latest = ModelArtifact.objects.filter(engine=name).aggregate(v=Max("version"))
                now = timezone.now()
                ModelArtifact.objects.filter(engine=name, is_active=True).update(is_active=False)
                artifact = ModelArtifact.objects.create(
                    engine=name,
                    version=(latest["v"] or 0) + 1,
                    path=relative,
                    stats=stats,
                    is_active=True,
                    activated_at=now,
                )
                transaction.on_commit(lambda: namespace_invalidate(ACTIVE_NAMESPACE))
                return artifact
        except IntegrityError:
            # Another training took the same version number first; take the next one.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def artifact_activate(*, artifact: ModelArtifact) -> None:
    """Make an existing version the active one of its engine (a rollback, say)."""
    with transaction.atomic():
        list(ModelArtifact.objects.select_for_update().filter(engine=artifact.engine))
        ModelArtifact.objects.filter(engine=artifact.engine, is_active=True).update(is_active=False)
        ModelArtifact.objects.filter(pk=artifact.pk).update(
            is_active=True, activated_at=timezone.now()
        )
        transaction.on_commit(lambda: namespace_invalidate(ACTIVE_NAMESPACE))


def _versions_prune(*, name: str) -> None:
    """Delete all but the newest few inactive versions of ``name`` (rows and files)."""
    stale = list(
        ModelArtifact.objects.filter(engine=name, is_active=False).order_by("-version")[
            KEEP_VERSIONS:
        ]
    )
    for artifact in stale:
        shutil.rmtree(models_root() / artifact.path, ignore_errors=True)
        artifact.delete()


def active_artifacts() -> dict[str, tuple[int, int, str]]:
    """Engine name -> (artifact id, version, relative path) of every active version."""
    return cached(ACTIVE_NAMESPACE, ("active",), ACTIVE_TTL, _active_artifacts_read)


def _active_artifacts_read() -> dict[str, tuple[int, int, str]]:
    return {
        engine: (artifact_id, version, path)
        for engine, artifact_id, version, path in ModelArtifact.objects.filter(
            is_active=True
        ).values_list("engine", "id", "version", "path")
    }


def engine_get(name: str) -> LoadedEngine | None:
    """The active version of engine ``name``, loaded once per process; None if unusable."""
    active = active_artifacts().get(name)
    if active is None:
        return None
    artifact_id, version, relative = active
    loaded = _loaded.get(name)
    if loaded is not None and loaded.artifact_id == artifact_id:
        return loaded
    with _lock:
        loaded = _loaded.get(name)
        if loaded is not None and loaded.artifact_id == artifact_id:
            return loaded
        failed_at = _failed.get(artifact_id)
        if failed_at is not None and time.monotonic() - failed_at < RETRY_FAILED_AFTER:
            return None
        try:
            loaded = _engine_load(artifact_id, name, version, models_root() / relative)
        except Exception as exc:  # noqa: BLE001 - a bad artifact degrades serving, never fails it
            _failed[artifact_id] = time.monotonic()
            log_once(
                logger,
                f"artifact_load_failed:{artifact_id}",
                "recommender_artifact_unusable",
                engine=name,
                version=version,
                error=str(exc),
            )
            return None
        _loaded[name] = loaded
        _failed.pop(artifact_id, None)
        return loaded


def _engine_load(artifact_id: int, name: str, version: int, directory: Path) -> LoadedEngine:
    engine = engine_load(directory / ENGINE_FILE)
    item_ids = np.load(directory / ITEMS_FILE, allow_pickle=False)
    if item_ids.ndim != 1 or item_ids.dtype.kind != "i":
        raise ValueError("items.npy is not a vector of movie ids")
    scores = engine.score(History.empty())
    if scores.shape != (item_ids.shape[0],):
        raise ValueError(f"engine scores {scores.shape[0]} items, the index has {len(item_ids)}")
    item_ids = item_ids.astype(np.int64)
    index_of = {int(movie_id): index for index, movie_id in enumerate(item_ids)}
    sorted_ids = bool(np.all(np.diff(item_ids) > 0))
    return LoadedEngine(artifact_id, name, version, engine, item_ids, index_of, sorted_ids)


def loaded_engines_forget() -> None:
    """Drop every engine held in memory (tests, and after deleting artifacts by hand)."""
    with _lock:
        _loaded.clear()
        _failed.clear()
