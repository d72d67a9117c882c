"""The push channel: Web Push (RFC 8030, 8291 payload encryption, 8292 VAPID; pywebpush) for
web devices, FCM (firebase-admin) for Android and iOS when FCM_CREDENTIALS_FILE is set. A
device the push service reports gone (404, 410, or FCM's unregistered) is deactivated and the
message fails at once; other refusals of the message fail it at once, the rest is retried."""

import json
import threading

from django.conf import settings

from apps.core.outbox.models import NotificationLog
from apps.core.outbox.registry import PermanentFailure, Rendered, channel_sender
from apps.notifications.models import UserDevice
from apps.notifications.services.devices import device_deactivate

PUSH_TTL_SECONDS = 24 * 3600
GONE = {404, 410}
REFUSED = {400, 401, 403, 413}


def web_push_configured() -> bool:
    return bool(
        getattr(settings, "VAPID_PRIVATE_KEY", "") and getattr(settings, "VAPID_SUBJECT", "")
    )


def fcm_configured() -> bool:
    return bool(getattr(settings, "FCM_CREDENTIALS_FILE", ""))


def device_types_reachable() -> list[str]:
    """Device types a push can be sent to with this configuration."""
    types = []
    if web_push_configured():
        types.append(UserDevice.Type.WEB)
    if fcm_configured():
        types += [UserDevice.Type.ANDROID, UserDevice.Type.IOS]
    return types


def push_payload(log: NotificationLog, rendered: Rendered) -> dict:
    return {
        "title": rendered.subject,
        "body": rendered.text,
        "url": rendered.url,
        "notification_id": log.pk,
        "kind": log.kind,
    }


@channel_sender(NotificationLog.Channel.PUSH)
def push_deliver(log: NotificationLog, rendered: Rendered) -> str:
    device = UserDevice.objects.filter(pk=log.context.get("device_id"), is_active=True).first()
    if device is None:
        raise PermanentFailure("the device is gone")
    payload = push_payload(log, rendered)
    if device.device_type == UserDevice.Type.WEB:
        return web_push_send(device=device, payload=payload)
    return fcm_send(device=device, payload=payload)


def web_push_send(*, device: UserDevice, payload: dict) -> str:
    from pywebpush import WebPushException, webpush

    if not web_push_configured():
        raise PermanentFailure("web push is not configured (VAPID_PRIVATE_KEY, VAPID_SUBJECT)")
    try:
        response = webpush(
            subscription_info=json.loads(device.device_token),
            data=json.dumps(payload, separators=(",", ":")),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=PUSH_TTL_SECONDS,
            timeout=10,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in GONE:
            device_deactivate(device_id=device.pk)
            raise PermanentFailure(f"push service answered {status}: subscription gone") from exc
        if status in REFUSED:
            raise PermanentFailure(f"push service refused the message ({status})") from exc
        raise
    return response.headers.get("Location", "")[-100:]


_firebase_lock = threading.Lock()
_firebase_apps: dict[str, object] = {}


def _firebase():
    """The Firebase app for the configured credentials file (one per process and file)."""
    import firebase_admin
    from firebase_admin import credentials

    path = settings.FCM_CREDENTIALS_FILE
    with _firebase_lock:
        if path not in _firebase_apps:
            _firebase_apps[path] = firebase_admin.initialize_app(
                credentials.Certificate(path), name=f"movie-nexus:{path}"
            )
        return _firebase_apps[path]


def fcm_send(*, device: UserDevice, payload: dict) -> str:
    if not fcm_configured():
        raise PermanentFailure("mobile push is not configured (FCM_CREDENTIALS_FILE)")
    from firebase_admin import exceptions, messaging

    message = messaging.Message(
        token=device.device_token,
        notification=messaging.Notification(title=payload["title"], body=payload["body"]),
        data={key: str(value) for key, value in payload.items() if key not in {"title", "body"}},
    )
    try:
        return messaging.send(message, app=_firebase())
    except (messaging.UnregisteredError, messaging.SenderIdMismatchError) as exc:
        device_deactivate(device_id=device.pk)
        raise PermanentFailure(f"FCM: the device is gone ({exc.code})") from exc
    except exceptions.InvalidArgumentError as exc:
        raise PermanentFailure(f"FCM refused the message: {exc}") from exc
