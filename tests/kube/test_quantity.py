"""kube/quantity.py: Kubernetes resource quantities, their grammar and exact values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kube.quantity import InvalidQuantity, is_quantity, parse_quantity

BINARY = [("Ki", 1), ("Mi", 2), ("Gi", 3)]


@pytest.mark.parametrize(
    "text, value",
    [
        ("1000m", Decimal(1)),
        ("500m", Decimal("0.5")),
        ("100m", Decimal("0.1")),
        ("1", Decimal(1)),
        ("2", Decimal(2)),
        ("1Ki", Decimal(1024)),
        ("1Mi", Decimal(1024**2)),
        ("1Gi", Decimal(1024**3)),
        ("1.5Gi", Decimal(1610612736)),
        ("512Mi", Decimal(512 * 1024**2)),
        ("1Ti", Decimal(1024**4)),
        ("1Ei", Decimal(1024**6)),
        ("2k", Decimal(2000)),
        ("1M", Decimal(10**6)),
        ("4G", Decimal(4 * 10**9)),
        ("1E", Decimal(10**18)),  # exa, not an exponent
        ("1n", Decimal("1e-9")),
        ("1u", Decimal("1e-6")),
        ("1e3", Decimal(1000)),
        ("1E3", Decimal(1000)),
        ("2.5e-1", Decimal("0.25")),
        ("+1", Decimal(1)),
        ("-1", Decimal(-1)),
        (".5", Decimal("0.5")),
        ("5.", Decimal(5)),
        ("0", Decimal(0)),
    ],
)
def test_parse_quantity_is_exact(text, value):
    parsed = parse_quantity(text)
    assert isinstance(parsed, Decimal)
    assert parsed == value


def test_1000m_is_1():
    assert parse_quantity("1000m") == parse_quantity("1")


def test_1gi_is_1024mi():
    assert parse_quantity("1Gi") == parse_quantity("1024Mi")


@pytest.mark.parametrize(
    "number, value",
    [
        (2, Decimal(2)),
        (0, Decimal(0)),
        (0.5, Decimal("0.5")),
        (0.1, Decimal("0.1")),
    ],
)
def test_numbers_written_bare_in_yaml_parse(number, value):
    assert parse_quantity(number) == value


@pytest.mark.parametrize(
    "text",
    [
        "512MB",
        "1K",
        "1GB",
        "1ki",
        "1mi",
        "1 Gi",
        " 1",
        "Gi",
        "abc",
        "",
        "1e",
        "--1",
        "1.2.3",
        "0x10",
        "1_000",
        "1Gi ",
        "Infinity",
        "NaN",
    ],
)
def test_parse_quantity_rejects_what_the_api_server_rejects(text):
    with pytest.raises(InvalidQuantity) as caught:
        parse_quantity(text)
    assert str(caught.value) == f"{text!r} is not a Kubernetes quantity (e.g. 500m, 2, 512Mi or 4Gi)"


@pytest.mark.parametrize("flag", [True, False])
def test_booleans_are_not_quantities(flag):
    assert is_quantity(flag) is False
    with pytest.raises(InvalidQuantity) as caught:
        parse_quantity(flag)
    assert str(caught.value) == f"{flag!r} is not a quantity"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("500m", True),
        ("2", True),
        (2, True),
        ("1.5Gi", True),
        ("-1", True),
        ("512MB", False),
        ("", False),
        (None, False),
        (True, False),
        (1.5, False),
        (["1"], False),
    ],
)
def test_is_quantity(value, expected):
    assert is_quantity(value) is expected


def test_invalid_quantity_is_a_value_error():
    assert issubclass(InvalidQuantity, ValueError)


@settings(max_examples=200, deadline=None, database=None)
@given(n=st.integers(min_value=-(10**15), max_value=10**15), suffix=st.sampled_from(BINARY))
def test_binary_suffix_multiplies_by_a_power_of_1024(n, suffix):
    text, power = suffix
    assert parse_quantity(f"{n}{text}") == n * 1024**power


@settings(max_examples=50, deadline=None, database=None)
@example(n=10**30 + 1, suffix=("Gi", 3))
@given(n=st.integers(), suffix=st.sampled_from(BINARY))
def test_binary_suffix_is_exact_for_any_integer(n, suffix):
    text, power = suffix
    assert parse_quantity(f"{n}{text}") == n * 1024**power


@pytest.mark.parametrize("text", ["1Gi\n", "1\n"])
def test_a_trailing_newline_is_not_part_of_a_quantity(text):
    assert is_quantity(text) is False
