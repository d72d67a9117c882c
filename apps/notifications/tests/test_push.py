"""Web Push to a push service on loopback, which checks the VAPID signature (RFC 8292) and
decrypts the payload (RFC 8291, aes128gcm) with the subscription's private key; a push
service answering 404 or 410 deactivates the device."""

import base64
import json
import threading
from datetime import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from apps.catalog.tests.factories import MovieFactory
from apps.core.outbox.models import NotificationLog
from apps.core.testing import free_port
from apps.notifications.models import NotificationPreference, UserDevice
from apps.notifications.services.alerts import alerts_send
from apps.notifications.services.devices import device_register
from apps.notifications.tests.helpers import recommend

pytestmark = pytest.mark.django_db


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """A Web Push service on 127.0.0.1 that keeps what it receives and answers ``status``."""

    def __init__(self) -> None:
        self.received: list[tuple] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append((self.headers, body))  # case-insensitive
                self.send_response(service.status)
                self.send_header("Location", f"http://127.0.0.1/messages/{len(service.received)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def push_service():
    service = PushService()
    service.thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


@pytest.fixture
def vapid(settings):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    settings.VAPID_SUBJECT = "mailto:push@movienexus.example"
    return key.public_key()


@pytest.fixture
def browser(user, push_service):
    """A browser's subscription: its own key pair and auth secret, as the Push API makes them."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = b"0123456789abcdef"
    token = json.dumps(
        {
            "endpoint": f"{push_service.origin}/push/subscription-1",
            "keys": {"p256dh": b64url(public), "auth": b64url(auth)},
        }
    )
    device, _ = device_register(user=user, device_type="web", device_token=token)
    NotificationPreference.objects.filter(user=user).update(
        quiet_hours_start=time(0, 0), quiet_hours_end=time(0, 0)
    )
    return device, private, auth


def vapid_claims(headers, public_key) -> dict:
    """Check the VAPID JWT's ES256 signature with the server's public key; return its claims."""
    scheme, _, params = headers["Authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    signing_input, _, signature = fields["t"].rpartition(".")
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public_key.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    assert unb64url(fields["k"]) == public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return json.loads(unb64url(signing_input.split(".")[1]))


def test_a_recommendation_alert_reaches_the_browser_encrypted_and_signed(
    user, vapid, browser, push_service, api_client, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_URL = "http://testserver"
    device, private_key, auth = browser
    alien = MovieFactory(title="Alien")
    recommend(user, alien, score=0.95, reason="Because you liked Aliens")

    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["recommendation"])

    assert len(push_service.received) == 1
    headers, body = push_service.received[0]
    assert headers["Content-Encoding"] == "aes128gcm"
    assert int(headers["TTL"]) > 0
    claims = vapid_claims(headers, vapid)
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == "mailto:push@movienexus.example"
    payload = json.loads(
        http_ece.decrypt(body, private_key=private_key, auth_secret=auth, version="aes128gcm")
    )
    log = NotificationLog.objects.get(notification_type="push")
    assert payload["title"] == "Picked for you: Alien"
    assert payload["body"] == "Because you liked Aliens"
    assert payload["kind"] == "recommendation_alert" and payload["notification_id"] == log.pk
    assert (log.status, log.recipient, log.external_id) == (
        "sent",
        device.device_token,
        "http://127.0.0.1/messages/1",
    )

    # The push's link is a tracked click to the movie's page.
    response = api_client.get(payload["url"].removeprefix("http://testserver"))
    assert response.status_code == 302 and response["Location"].endswith(f"/movies/{alien.pk}")
    log.refresh_from_db()
    assert log.status == "clicked"


@pytest.mark.parametrize("status", [404, 410])
def test_a_push_service_saying_the_subscription_is_gone_deactivates_the_device(
    user, vapid, browser, push_service, django_capture_on_commit_callbacks, status
):
    device, _, _ = browser
    push_service.status = status
    recommend(user, score=0.95)

    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["recommendation"])

    log = NotificationLog.objects.get(notification_type="push")
    assert (log.status, log.attempts) == ("failed", 1)
    assert str(status) in log.error_message
    assert UserDevice.objects.get(pk=device.pk).is_active is False


def test_a_push_service_failing_is_retried(
    user, vapid, browser, push_service, django_capture_on_commit_callbacks
):
    push_service.status = 503
    recommend(user, score=0.95)

    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["recommendation"])

    log = NotificationLog.objects.get(notification_type="push")
    assert (log.status, log.attempts) == ("pending", 1)
    assert UserDevice.objects.get().is_active is True


def test_without_vapid_keys_no_push_is_queued_and_email_still_is(
    user, browser, push_service, django_capture_on_commit_callbacks
):
    recommend(user, score=0.95)

    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["recommendation"])

    channels = set(NotificationLog.objects.values_list("notification_type", flat=True))
    assert channels == {"email", "in_app"}
    assert push_service.received == []
