"""Session ids: one id for the requests a client makes until it is idle for
ANALYTICS_SESSION_IDLE_SECONDS (30 minutes by default, the usual web analytics visit).

A client that sends ``X-Session-ID`` (a short plain token, e.g. the mobile app's) keeps its own.
For the others the session is found when the events are written (off the request path): the
client is the signed-in user, else the address and user agent, as a keyed hash
(apps.analytics.privacy.client_key); its current session id and last event time are kept in the
cache for the idle time. If the cache is unavailable, a batch starts new sessions (the events
are still written).
"""

import uuid
from collections.abc import Callable

from django.conf import settings

from apps.core.cache import cache_get_many, cache_set_many


def _cache_key(client: str) -> str:
    return f"analytics:session:{client}"


def sessions_assign(entries: list[dict], *, key: Callable[[dict], str]) -> None:
    """Set ``entry["session"]`` on each entry (given its time ``t`` and ``sid`` header)."""
    idle = settings.ANALYTICS_SESSION_IDLE_SECONDS
    anonymous = [entry for entry in entries if not entry.get("sid")]
    for entry in entries:
        if entry.get("sid"):
            entry["session"] = str(entry["sid"])[:100]
    if not anonymous:
        return
    clients = {id(entry): key(entry) for entry in anonymous}
    known = {
        cache_key: list(state)
        for cache_key, state in cache_get_many(
            {_cache_key(client) for client in clients.values()}
        ).items()
        if isinstance(state, list | tuple) and len(state) == 2
    }
    changed: dict[str, list] = {}
    for entry in sorted(anonymous, key=lambda entry: entry["t"]):
        cache_key = _cache_key(clients[id(entry)])
        state = known.get(cache_key)
        if state is None or entry["t"] - state[1] > idle:
            state = [uuid.uuid4().hex, entry["t"]]
        else:
            state[1] = max(state[1], entry["t"])
        known[cache_key] = changed[cache_key] = state
        entry["session"] = state[0]
    cache_set_many(changed, idle)
