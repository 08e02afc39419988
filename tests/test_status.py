"""Status code constants."""

from __future__ import annotations

import pytest

from transom import status

CONSTANTS = [name for name in status.__all__ if name.startswith(("HTTP_", "WS_"))]


@pytest.mark.parametrize("name", CONSTANTS)
def test_constant_value_matches_its_name(name: str) -> None:
    assert getattr(status, name) == int(name.split("_")[1])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HTTP_200_OK", 200),
        ("HTTP_204_NO_CONTENT", 204),
        ("HTTP_304_NOT_MODIFIED", 304),
        ("HTTP_307_TEMPORARY_REDIRECT", 307),
        ("HTTP_404_NOT_FOUND", 404),
        ("HTTP_422_UNPROCESSABLE_ENTITY", 422),
        ("WS_1000_NORMAL_CLOSURE", 1000),
    ],
)
def test_well_known_constants(name: str, value: int) -> None:
    assert getattr(status, name) == value
