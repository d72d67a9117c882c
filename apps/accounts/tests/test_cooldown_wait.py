"""The cooldowns of the reset and verification emails (services.common.cooldown_wait)."""

from apps.accounts.services.common import cooldown_wait
from apps.core.testing import cache_unavailable


def test_the_first_caller_goes_ahead_and_the_next_waits_for_the_rest_of_the_cooldown():
    assert cooldown_wait(key="cooldown:a", cooldown=60) == 0
    assert 59 <= cooldown_wait(key="cooldown:a", cooldown=60) <= 61
    assert cooldown_wait(key="cooldown:b", cooldown=60) == 0


def test_with_the_cache_down_nothing_is_limited():
    with cache_unavailable():
        assert cooldown_wait(key="cooldown:a", cooldown=60) == 0
        assert cooldown_wait(key="cooldown:a", cooldown=60) == 0
