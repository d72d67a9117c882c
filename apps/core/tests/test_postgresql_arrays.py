import math
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection

from apps.core.postgresql.arrays import array_literal
from apps.core.testing import postgres_only

TEXTS = ['a"b', "back\\slash", "NULL", "", "comma, and {braces}", "  spaced  ", "caf\u00e9"]


def test_array_literal_writes_each_kind_of_element():
    assert array_literal([]) == "{}"
    assert array_literal([1, -2, None, np.int64(7), 10**20]) == (
        "{1,-2,NULL,7,100000000000000000000}"
    )
    assert array_literal([0.5, np.float32(0.25), float("inf"), float("-inf"), float("nan")]) == (
        "{0.5,0.25,Infinity,-Infinity,NaN}"
    )
    assert array_literal(['a"b', "back\\slash", "NULL", ""]) == (
        '{"a\\"b","back\\\\slash","NULL",""}'
    )
    assert array_literal(value for value in (3, 4)) == "{3,4}"


@pytest.mark.parametrize("value", [True, Decimal("1.5"), b"bytes", object()])
def test_array_literal_refuses_what_it_would_have_to_guess(value):
    with pytest.raises(TypeError):
        array_literal([1, value])


@postgres_only
@pytest.mark.django_db
def test_postgresql_reads_back_what_was_written():
    ints = [1, -2, None, int(np.int64(2**62)), 0]
    floats = [0.1, 1e-20, -3.5, float(np.float32(0.1)), None]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::bigint[], %s::float8[], %s::text[], %s::real[]",
            [
                array_literal(ints),
                array_literal(floats),
                array_literal([*TEXTS, None]),
                array_literal([float("inf"), float("-inf"), float("nan")]),
            ],
        )
        got_ints, got_floats, got_texts, specials = cursor.fetchone()
    assert got_ints == ints
    assert got_floats == floats
    assert got_texts == [*TEXTS, None]
    assert specials[0] == math.inf and specials[1] == -math.inf and math.isnan(specials[2])
