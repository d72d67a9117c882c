import pytest

from apps.accounts.models import Profile, User
from apps.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_lists_and_searches_users(admin_client, user):
    response = admin_client.get("/admin/accounts/user/", {"q": user.username})

    assert response.status_code == 200
    assert user.email in response.content.decode()


def test_admin_user_page_shows_the_profile_inline(admin_client, user):
    response = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")

    assert response.status_code == 200
    assert "profile-0-timezone" in response.content.decode()


def test_a_user_added_in_the_admin_gets_a_profile(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "added",
            "email": "added@example.com",
            "password1": "plum-orchard-velvet-42",
            "password2": "plum-orchard-velvet-42",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Profile.objects.filter(user=User.objects.get(username="added")).exists()


def test_a_user_added_in_the_admin_with_profile_fields_keeps_them(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "withprofile",
            "email": "withprofile@example.com",
            "password1": "plum-orchard-velvet-42",
            "password2": "plum-orchard-velvet-42",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-0-preferred_language": "fr",
            "profile-0-timezone": "Europe/Paris",
            "profile-0-country": "France",
            "profile-0-bio": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Profile.objects.get(user__username="withprofile").country == "France"
