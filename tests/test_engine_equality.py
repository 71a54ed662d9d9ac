"""The comparison the engine tests rely on finds what it must (tests/engine_equality.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tests.engine_equality import compare, table


def _one(rows, columns=("id", "rate", "at")):
    return {"t": table(list(columns), rows)}


BASE = [(1, 0.5, datetime(2026, 1, 1, 9)), (2, None, datetime(2026, 1, 2, 9))]


def test_equal_tables_in_any_row_order_and_number_type():
    other = [
        (Decimal(2), None, datetime(2026, 1, 2, 9, tzinfo=UTC)),
        (1, 0.5 * (1 + 1e-12), datetime(2026, 1, 1, 9)),
    ]
    assert compare(_one(BASE), _one(other)) == []


def test_a_changed_value_a_missing_row_or_column_is_a_difference():
    assert compare(_one(BASE), _one([BASE[0], (2, None, datetime(2026, 1, 2, 10))]))
    assert compare(_one(BASE), _one(BASE[:1]))
    assert compare(_one(BASE), _one(BASE, ("id", "rate", "when")))
    assert compare(_one(BASE), {})


def test_doubles_must_agree_within_1e9_relative():
    assert compare(_one(BASE), _one([(1, 0.5 * (1 + 1e-7), BASE[0][2]), BASE[1]]))
    assert compare(_one(BASE), _one([(1, None, BASE[0][2]), BASE[1]]))
