"""Shared pieces of the MovieLens import: CSV streaming, batching, progress, the report."""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

Progress = Callable[[str, int | None], "ProgressBar"]


class ProgressBar:
    """The do-nothing progress bar (the command passes a tqdm factory instead)."""

    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


def no_progress(_label: str, _total: int | None) -> ProgressBar:
    return ProgressBar()


@dataclass
class ImportReport:
    movies_created: int = 0
    movies_updated: int = 0
    duplicate_links: list[str] = field(default_factory=list)
    tags: int = 0
    users_created: int = 0
    users_foreign: list[str] = field(default_factory=list)
    ratings: int = 0
    ratings_skipped: int = 0
    movies_rescored: int = 0
    created_pks: set[int] = field(default_factory=set, repr=False)


def csv_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def batches(rows: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(rows, size)):
        yield batch


def line_count(path: Path) -> int:
    with path.open("rb") as handle:
        return max(0, sum(1 for _ in handle) - 1)


def to_int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None
