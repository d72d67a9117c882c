import pytest

from apps.core.hooks import Hook, HookNotProvided


def answer(*, value: int) -> int:
    return value * 2


def test_a_hook_calls_its_provider_with_the_keyword_arguments():
    hook = Hook("double")
    hook.provide(answer)

    assert hook.is_provided
    assert hook(value=21) == 42


def test_calling_a_hook_nobody_provides_says_which_hook():
    hook = Hook("nobody")

    assert not hook.is_provided
    with pytest.raises(HookNotProvided, match="nobody"):
        hook(value=1)


def test_providing_the_same_function_twice_is_harmless_but_a_second_provider_is_refused():
    hook = Hook("double")
    hook.provide(answer)
    hook.provide(answer)

    with pytest.raises(RuntimeError, match="already provided"):
        hook.provide(lambda *, value: value)
