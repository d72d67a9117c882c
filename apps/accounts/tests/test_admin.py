import pytest

from apps.accounts.models import Profile, User
from apps.accounts.tests.factories import UserFactory
from apps.accounts.tests.helpers import (  # noqa: F401 - mid_login_window is a fixture
    PASSWORD,
    login,
    mid_login_window,
)

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


ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def staff(db):
    return UserFactory(username="boss", email="boss@example.com", is_staff=True)


def admin_login(client, username: str, password: str, **extra):
    return client.post(
        ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


@pytest.mark.usefixtures("mid_login_window")
def test_admin_login_stops_checking_passwords_after_five_failures(client, staff, monkeypatch):
    checked = []
    real_check_password = User.check_password

    def counting_check_password(self, raw_password):
        checked.append(raw_password)
        return real_check_password(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting_check_password)

    answers = [admin_login(client, "boss", f"guess-{index}") for index in range(40)]

    assert len(checked) == 5
    assert all(answer.status_code == 200 for answer in answers)
    assert "Too many failed login attempts" in answers[-1].content.decode()


@pytest.mark.usefixtures("mid_login_window")
def test_admin_login_refuses_even_the_right_password_while_locked(client, staff):
    for _ in range(5):
        admin_login(client, "boss", "wrong-password")

    response = admin_login(client, "boss", PASSWORD)

    assert response.status_code == 200  # the form again, not the redirect into the admin
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("mid_login_window")
def test_admin_and_api_login_failures_share_one_counter(client, api_client, staff):
    for _ in range(3):
        admin_login(client, "boss", "wrong-password")
    for _ in range(2):
        login(api_client, "boss@example.com", "wrong-password")

    assert login(api_client, "boss").status_code == 429
    assert "Too many" in admin_login(client, "boss", PASSWORD).content.decode()


@pytest.mark.usefixtures("mid_login_window")
def test_admin_login_with_the_right_password_still_works_and_is_not_counted(client, staff):
    for _ in range(4):
        admin_login(client, "boss", "wrong-password")

    response = admin_login(client, "boss", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.usefixtures("mid_login_window")
def test_a_non_staff_user_with_the_right_password_is_refused_but_not_counted(client, user):
    for _ in range(6):
        response = admin_login(client, user.username, PASSWORD)

    assert response.status_code == 200
    assert "Too many" not in response.content.decode()


@pytest.mark.usefixtures("mid_login_window")
def test_a_flooded_staff_account_signs_in_to_the_admin_after_a_short_wait(
    client, api_client, staff, monkeypatch
):
    from apps.accounts import login_guard

    for index in range(20):
        login(api_client, "boss", "wrong-password", REMOTE_ADDR=f"203.0.113.{index // 5 + 1}")

    asked = admin_login(client, "boss", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert asked.status_code == 200
    assert "wait 10 seconds, then sign in again" in asked.content.decode()
    assert "_auth_user_id" not in client.session

    moment = login_guard._now() + login_guard.challenge_delay()
    monkeypatch.setattr(login_guard, "_now", lambda: moment)
    response = admin_login(client, "boss", PASSWORD, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.parametrize("username", ["ROSS", "r\u043ess"])  # another case; a Cyrillic o
def test_adding_a_user_whose_name_folds_or_looks_like_a_taken_one_is_a_form_error(
    admin_client, username
):
    UserFactory(username="ross", email="ross@example.com")

    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": username,
            "email": "another@example.com",
            "password1": "plum-orchard-velvet-42",
            "password2": "plum-orchard-velvet-42",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"]
    assert User.objects.filter(username_key="ross").count() == 1


def test_changing_a_users_email_in_the_admin_to_a_taken_spelling_is_a_form_error(
    admin_client, user
):
    UserFactory(username="ross", email="ross@example.com")
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        {
            "username": user.username,
            "email": "ROSS@example.com",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        }
    )

    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
