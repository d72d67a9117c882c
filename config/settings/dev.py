"""Development: the embedded default (SQLite, local memory cache, eager tasks) unless set."""

from config.settings.base import *  # noqa: F403

DEBUG = True
