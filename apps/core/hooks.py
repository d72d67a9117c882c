"""Hooks: how an app low in the layers asks a higher one for an answer without importing it.

A signal (django.dispatch) tells any number of listeners that something happened and ignores
what they return. A hook is the other direction of the same rule: the lower app declares a
question it needs answered (``movie_user_state = Hook("movie_user_state")`` in the catalog),
and exactly one higher app provides the function that answers it, in its AppConfig.ready()
(the interactions app provides ``movie_user_state``). The lower app calls the hook and never
names the provider, so the import graph keeps pointing down (docs/architecture.md).
"""

from collections.abc import Callable
from typing import Any


class HookNotProvided(LookupError):
    """A hook was called before any app provided it (the providing app is not installed)."""


class Hook:
    """One named question with at most one provider."""

    def __init__(self, name: str):
        self.name = name
        self._provider: Callable[..., Any] | None = None

    def provide(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Make ``function`` the answer; providing the same function again is harmless (ready()
        may run twice in tests), a second, different provider is a programming error."""
        if self._provider is not None and self._provider is not function:
            raise RuntimeError(f"hook {self.name!r} already provided by {self._provider!r}")
        self._provider = function
        return function

    @property
    def is_provided(self) -> bool:
        return self._provider is not None

    def __call__(self, **kwargs: Any) -> Any:
        if self._provider is None:
            raise HookNotProvided(f"no installed app provides the hook {self.name!r}")
        return self._provider(**kwargs)

    def __repr__(self) -> str:
        return f"Hook({self.name!r})"
