"""Path converters shared by every app's urls.py."""

from django.urls import register_converter

# 18 digits always fit a signed 64-bit column; a longer id cannot name a row, so it does not
# match the route and answers 404 (PostgreSQL would otherwise raise an out-of-range error).
ID_PATTERN = "[0-9]{1,18}"
MAX_PATH_ID = 10**18 - 1


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")
