"""apps/accounts/services/deletion.py, called directly."""

import pytest
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.models import Profile, User
from apps.accounts.services.deletion import user_delete
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import PASSWORD
from apps.accounts.tokens import token_pair_for
from apps.analytics.models import UserActivityLog

pytestmark = pytest.mark.django_db(databases="__all__")


def test_user_delete_removes_the_account_and_its_profile_and_revokes_its_tokens(
    django_capture_on_commit_callbacks,
):
    user, other = UserFactory(), UserFactory()
    refresh = RefreshToken(token_pair_for(user)["refresh"])
    UserActivityLog.objects.create(user_id=user.pk, action_type="login")

    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=user, current_password=PASSWORD)

    assert not User.objects.filter(pk=user.pk).exists()
    assert not Profile.objects.filter(user_id=user.pk).exists()
    assert User.objects.filter(pk=other.pk).exists()
    assert OutstandingToken.objects.get(jti=refresh["jti"]).blacklistedtoken is not None
    assert UserActivityLog.objects.get().user_id is None
