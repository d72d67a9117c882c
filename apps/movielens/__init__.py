"""MovieLens import: title parsing and genre mapping (titles.py), the importer (importer.py)."""

from apps.catalog.movielens.importer import ImportReport, movielens_import

__all__ = ["ImportReport", "movielens_import"]
