"""The one JSON parser of every API route (REST_FRAMEWORK DEFAULT_PARSER_CLASSES).

DRF's JSONParser hands the body to ``json.load``, which recurses once per nesting level: a
body of a thousand ``[`` raises RecursionError, which DRF does not catch (a 500 with a
traceback, on any JSON route, login included). No request of this API nests more than a few
levels, so a body nested deeper than MAX_JSON_DEPTH is refused with a 400 before it is
decoded. The depth is measured on the raw bytes with C-speed operations only, and never
recurses itself: a body with no more opening brackets than the limit cannot nest deeper (the
common case: one count); otherwise the string literals are stripped, the brackets kept, and the
deepest point of a running sum taken (about the cost of decoding the body).
"""

import io
import re
from itertools import accumulate

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32

# A JSON string literal: a quote, then any run of non-quote non-backslash bytes or escapes.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# Opening brackets count +1, closing ones -1; every other byte is deleted before counting.
_BRACKETS = b"[]{}"
_OTHER_BYTES = bytes(byte for byte in range(256) if byte not in _BRACKETS)
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar).

    Brackets inside string literals do not count. On text that is not JSON the figure is
    approximate, which is harmless: such a body fails to decode anyway.
    """
    brackets = _STRING.sub(b"", body).translate(None, _OTHER_BYTES)
    if not brackets:
        return 0
    return max(accumulate(map(_STEP.__getitem__, brackets)))


def json_nests_deeper(body: bytes, limit: int) -> bool:
    """Whether the JSON text nests deeper than ``limit``; counting the opening brackets is
    enough when there are no more of them than the limit."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    return json_depth(body) > limit


class JSONDepthLimitedParser(JSONParser):
    """DRF's JSONParser, refusing bodies nested deeper than MAX_JSON_DEPTH with a 400."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        if json_nests_deeper(body, self.max_depth):
            raise ParseError(
                f"JSON parse error - the body nests deeper than {self.max_depth} levels."
            )
        return super().parse(io.BytesIO(body), media_type, parser_context)
