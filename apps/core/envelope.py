"""The one response envelope of the HTTP contract.

Success: {"success": true, "data": ..., "message": "...", "pagination": {...}}
Error:   {"success": false, "error": {"code", "message", "details", "request_id"}}
"""

from typing import Any

from apps.core.context import current_request_id

DEFAULT_MESSAGES = {200: "OK", 201: "Created", 202: "Accepted"}


def success_body(data: Any, message: str | None = None, *, status: int = 200) -> dict:
    return {
        "success": True,
        "data": data,
        "message": message or DEFAULT_MESSAGES.get(status, "OK"),
    }


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {
        "success": False,
        "error": {
            "code": code,
            "message": message,
            "details": details if details is not None else {},
            "request_id": current_request_id(),
        },
    }


def is_envelope(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("success") in (True, False)
        and ("data" in data or "error" in data)
    )
