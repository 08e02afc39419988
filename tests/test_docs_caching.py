"""The examples of docs/caching.md run and print exactly what the page shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).parents[1] / "docs" / "caching.md"
BLOCKS = re.findall(r"```python\n(.*?)```(?:\n\n```text\n(.*?)```)?", PAGE.read_text(), re.DOTALL)
HELPER = BLOCKS[0][0]


@pytest.mark.parametrize(
    ("code", "printed"), BLOCKS[1:], ids=[f"example {i}" for i in range(1, len(BLOCKS))]
)
def test_the_example_prints_what_the_page_shows(code: str, printed: str) -> None:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(HELPER + code, str(PAGE.name), "exec"), {})
    assert output.getvalue() == printed


def test_every_example_shows_its_output() -> None:
    assert len(BLOCKS) >= 7
    assert all(printed for _, printed in BLOCKS[1:])
