"""The MovieLens importer: an app of its own because it creates users, profiles and rating
interactions, which sit above the catalog (see docs/architecture.md)."""
