"""FCM for Android and iOS through firebase-admin, against a local stand-in for Google's OAuth
token endpoint (named in the service account file) and for the FCM v1 send endpoint."""

import json
import threading
from datetime import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from firebase_admin import messaging

from apps.core.outbox.models import NotificationLog
from apps.core.testing import free_port
from apps.notifications.models import NotificationPreference, UserDevice
from apps.notifications.services.alerts import alerts_send
from apps.notifications.tests.helpers import recommend

pytestmark = pytest.mark.django_db
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


class FCMService:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []
        self.unregistered: set[str] = set()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == "/token":
                    answer, status = (
                        {"access_token": "local-token", "expires_in": 3600, "token_type": "Bearer"},
                        200,
                    )
                else:
                    message = json.loads(body)["message"]
                    service.sent.append((self.headers["Authorization"], message))
                    if message["token"] in service.unregistered:
                        status = 404
                        answer = {
                            "error": {
                                "code": 404,
                                "message": "Requested entity was not found.",
                                "status": "NOT_FOUND",
                                "details": [
                                    {
                                        "@type": FCM_ERROR,
                                        "errorCode": "UNREGISTERED",
                                    }
                                ],
                            }
                        }
                    else:
                        status, answer = (
                            200,
                            {"name": f"projects/nexus-test/messages/{len(service.sent)}"},
                        )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def fcm(settings, tmp_path, monkeypatch):
    service = FCMService()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    credentials = tmp_path / "service-account.json"
    credentials.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "nexus-test",
                "private_key_id": "key-1",
                "private_key": pem,
                "client_email": "push@nexus-test.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"{service.origin}/token",
            }
        )
    )
    settings.FCM_CREDENTIALS_FILE = str(credentials)
    monkeypatch.setattr(
        messaging._MessagingService, "FCM_URL", service.origin + "/v1/projects/{0}/messages:send"
    )
    yield service
    service.server.shutdown()
    service.server.server_close()


def test_an_alert_reaches_android_and_ios_devices_through_fcm(
    user, fcm, django_capture_on_commit_callbacks
):
    android = UserDevice.objects.create(user=user, device_type="android", device_token="android-1")
    UserDevice.objects.create(user=user, device_type="ios", device_token="ios-1")
    recommend(user, score=0.95, reason="Because you liked Aliens")
    NotificationPreference.objects.filter(user=user).update(
        quiet_hours_start=time(0), quiet_hours_end=time(0)
    )

    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["recommendation"])

    assert sorted(message["token"] for _, message in fcm.sent) == ["android-1", "ios-1"]
    authorization, message = next(m for m in fcm.sent if m[1]["token"] == "android-1")
    assert authorization == "Bearer local-token"
    assert message["notification"]["body"] == "Because you liked Aliens"
    assert message["data"]["kind"] == "recommendation_alert"
    log = NotificationLog.objects.get(notification_type="push", recipient=android.device_token)
    assert log.status == "sent" and log.external_id.startswith("projects/nexus-test/messages/")


def test_an_unregistered_fcm_token_deactivates_the_device(
    user, fcm, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.filter(user=user).update(
        quiet_hours_start=time(0), quiet_hours_end=time(0)
    )
    device = UserDevice.objects.create(user=user, device_type="android", device_token="gone-1")
    fcm.unregistered.add("gone-1")
    recommend(user, score=0.95)

    with django_capture_on_commit_callbacks(execute=True):
        alerts_send(kinds=["recommendation"])

    log = NotificationLog.objects.get(notification_type="push")
    assert (log.status, log.attempts) == ("failed", 1)
    assert UserDevice.objects.get(pk=device.pk).is_active is False
