"""The staff dashboard in a real headless browser (Debian's chromium and chromium-driver, with
selenium): a staff member signs in, the charts draw from the figures in the database, and the
page logs no console error and fits a phone's width."""

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.analytics.aggregation import aggregate_day
from apps.analytics.models import RequestTiming, UserActivityLog
from apps.catalog.tests.factories import MovieFactory

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver: apt-get install chromium "
        "chromium-driver (.ci/run installs them)",
    ),
]


@pytest.fixture
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options
    )
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _seed(yesterday):
    alien, heat = MovieFactory(title="Alien"), MovieFactory(title="Heat")
    stamp = datetime(yesterday.year, yesterday.month, yesterday.day, 12, tzinfo=UTC)
    rows = [
        *[("movie_view", user, alien.pk, {}) for user in (1, 2, 3)],
        ("movie_view", 1, heat.pk, {}),
        ("like_add", 2, heat.pk, {}),
        *[
            (
                "recommendation_impression",
                user,
                None,
                {"engine": "hybrid", "count": 10, "movie_ids": [alien.pk]},
            )
            for user in (1, 2, 3)
        ],
        ("recommendation_click", 1, alien.pk, {"engine": "hybrid", "first": True}),
        ("recommendation_click", 2, alien.pk, {"engine": "hybrid", "first": True}),
    ]
    UserActivityLog.objects.bulk_create(
        UserActivityLog(
            action_type=action,
            user_id=user,
            movie_id=movie,
            metadata=metadata,
            session_id=f"s{user}",
            timestamp=stamp,
        )
        for action, user, movie, metadata in rows
    )
    RequestTiming.objects.create(
        day=yesterday, endpoint="GET api/v1/movies/<id:movie_id>/", bucket=40, count=50
    )
    aggregate_day(yesterday)


def test_a_staff_member_sees_charts_drawn_from_the_data(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    UserFactory(username="boss", password="a-long-staff-password-1", is_staff=True)
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    _seed(yesterday)
    url = (
        f"{live_server.url}{reverse('admin-analytics')}"
        f"?from={(today - timedelta(days=6)).isoformat()}&to={today.isoformat()}"
    )

    browser.get(url)  # not signed in: the admin's login page, then back here
    browser.find_element(By.NAME, "username").send_keys("boss")
    browser.find_element(By.NAME, "password").send_keys("a-long-staff-password-1")
    browser.get_log("browser")  # what the admin's login page logged (its favicon) is not ours
    browser.find_element(By.CSS_SELECTOR, "input[type=submit], button[type=submit]").click()
    wait = WebDriverWait(browser, 30)
    wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "[data-chart=latency][data-drawn]")
        )
    )

    def drawn(name):
        return int(
            browser.find_element(By.CSS_SELECTOR, f"[data-chart={name}]").get_attribute(
                "data-drawn"
            )
        )

    assert drawn("active-users") == 7  # one point per day of the range
    values = [
        int(point.get_attribute("data-value"))
        for point in browser.find_elements(By.CSS_SELECTOR, "[data-chart=active-users] circle")
    ]
    assert values[-2] == 3 and values[-1] == 0  # yesterday's three users; nothing today
    assert drawn("interactions") == 4  # movie_view, like_add, impressions, clicks
    assert drawn("ctr") == 1
    ctr_bar = browser.find_element(By.CSS_SELECTOR, "[data-chart=ctr] rect")
    assert float(ctr_bar.get_attribute("data-value")) == pytest.approx(2 / 30, abs=1e-4)
    top = browser.find_element(By.CSS_SELECTOR, "[data-chart=top-movies]").text
    assert top.index("Alien") < top.index("Heat")
    assert drawn("latency") == 3  # p50, p95, p99 of one endpoint

    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []

    browser.set_window_size(390, 844)  # a phone
    browser.refresh()
    wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "[data-chart=latency][data-drawn]")
        )
    )
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
