"""Versioned on-disk engine artifacts: one ``.npz`` file of named arrays plus JSON metadata.

No pickle anywhere: arrays are loaded with ``allow_pickle=False`` and the metadata is JSON, so
loading a tampered file can fail but cannot run code. The engine kind is looked up in a fixed
allow-list. Saving writes a temporary file next to the target and renames it into place, so a
reader never sees a half-written artifact.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from .base import Engine
from .collaborative import EaseEngine, ItemKnnEngine, Rp3Engine
from .content import ContentEngine
from .hybrid import HybridEngine
from .sequential import TransitionEngine
from .trending import PopularityEngine, TrendingEngine

FORMAT = "movie-nexus-engine"
FORMAT_VERSION = 1
META_KEY = "__meta__"
KINDS: dict[str, type[Engine]] = {
    cls.__name__: cls
    for cls in (
        TrendingEngine,
        PopularityEngine,
        ContentEngine,
        EaseEngine,
        ItemKnnEngine,
        Rp3Engine,
        TransitionEngine,
        HybridEngine,
    )
}


class ArtifactError(ValueError):
    """The file is not an engine artifact this code can read."""


def engine_save(engine: Engine, path: str | os.PathLike) -> None:
    """Write ``engine`` to ``path`` atomically."""
    meta, arrays = engine.state()
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "kind": type(engine).__name__,
        "name": engine.name,
        "meta": meta,
    }
    payload = {f"a{i}": np.ascontiguousarray(value) for i, value in enumerate(arrays.values())}
    header["arrays"] = dict(zip(arrays.keys(), payload.keys(), strict=True))
    payload[META_KEY] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **payload)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def engine_load(path: str | os.PathLike) -> Engine:
    """Read an artifact written by ``engine_save``; raises ArtifactError if it is not one."""
    try:
        with np.load(Path(path), allow_pickle=False) as stored:
            header = json.loads(bytes(stored[META_KEY]).decode())
            if header.get("format") != FORMAT:
                raise ArtifactError("not a Movie Nexus engine artifact")
            if header.get("version") != FORMAT_VERSION:
                raise ArtifactError(f"unsupported artifact version {header.get('version')}")
            kind = KINDS.get(header.get("kind"))
            if kind is None:
                raise ArtifactError(f"unknown engine kind {header.get('kind')!r}")
            arrays = {name: stored[key] for name, key in header["arrays"].items()}
    except (OSError, KeyError, ValueError) as error:
        if isinstance(error, ArtifactError):
            raise
        raise ArtifactError(f"cannot read engine artifact {path}: {error}") from error
    try:
        return kind.from_state(header["meta"], arrays)
    except (KeyError, TypeError, ValueError) as error:
        raise ArtifactError(f"engine artifact {path} is incomplete: {error}") from error
