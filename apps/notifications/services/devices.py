"""Push devices: registering (a token moves to whoever registers it last), removing,
deactivating what the push service reports gone."""

import ipaddress
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.exceptions import InvalidInput
from apps.notifications.models import UserDevice

MAX_ACTIVE_DEVICES = 20


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(f"device_token: {message}", details={"device_token": [message]})


def web_subscription_normalise(token: str) -> str:
    """A Web Push subscription (``{"endpoint", "keys": {"p256dh", "auth"}}``) as compact JSON;
    a 400 if it is not one. The endpoint must be https on a public host (the server will post
    to it), unless WEBPUSH_ALLOW_LOCAL_ENDPOINTS (tests) allows a local http one."""
    try:
        value = json.loads(token)
    except ValueError as exc:
        raise _invalid("A web device token is the push subscription's JSON.") from exc
    if not isinstance(value, dict) or not isinstance(value.get("keys"), dict):
        raise _invalid("A push subscription has an endpoint and keys.")
    endpoint, keys = value.get("endpoint"), value["keys"]
    if not isinstance(endpoint, str) or not all(
        isinstance(keys.get(name), str) and 0 < len(keys[name]) <= 200
        for name in ("p256dh", "auth")
    ):
        raise _invalid("A push subscription has an endpoint and the keys p256dh and auth.")
    parts = urlsplit(endpoint)
    local_ok = getattr(settings, "WEBPUSH_ALLOW_LOCAL_ENDPOINTS", False)
    host = parts.hostname or ""
    if parts.scheme != "https" and not (local_ok and parts.scheme == "http"):
        raise _invalid("The push endpoint must be an https URL.")
    if not host or (not local_ok and _is_private(host)):
        raise _invalid("The push endpoint must be on a public host.")
    return json.dumps(
        {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}},
        separators=(",", ":"),
        sort_keys=True,
    )


def _is_private(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def device_register(
    *, user, device_type: str, device_token: str, device_name: str = ""
) -> tuple[UserDevice, bool]:
    """Register a device for ``user``; returns (device, created). A token already registered
    (by this user or, after a change of account on the device, another) moves to this user
    and is active again. At most MAX_ACTIVE_DEVICES stay active: the least recently used
    beyond that are deactivated."""
    if device_type == UserDevice.Type.WEB:
        device_token = web_subscription_normalise(device_token)
    if len(device_token) > 500:
        raise _invalid("Ensure this field has no more than 500 characters.")
    for _ in range(2):
        try:
            with transaction.atomic():
                device = (
                    UserDevice.objects.select_for_update().filter(device_token=device_token).first()
                )
                created = device is None
                if created:
                    device = UserDevice.objects.create(
                        user=user,
                        device_type=device_type,
                        device_token=device_token,
                        device_name=device_name,
                    )
                else:
                    device.user, device.device_type, device.is_active = user, device_type, True
                    device.device_name = device_name or device.device_name
                    device.save()
                _active_devices_bound(user_id=user.pk)
                return device, created
        except IntegrityError:
            continue  # a concurrent registration of the same token won: update it instead
    raise _invalid("This device is being registered concurrently; try again.")


def _active_devices_bound(*, user_id: int) -> None:
    extra = list(
        UserDevice.objects.filter(user_id=user_id, is_active=True)
        .order_by("-last_used_at", "-id")
        .values_list("pk", flat=True)[MAX_ACTIVE_DEVICES:]
    )
    if extra:
        UserDevice.objects.filter(pk__in=extra).update(is_active=False)


def device_remove(*, device: UserDevice) -> None:
    device.delete()


def device_deactivate(*, device_id: int) -> None:
    """The push service says the device is gone (404, 410, unregistered)."""
    UserDevice.objects.filter(pk=device_id).update(is_active=False, last_used_at=timezone.now())
