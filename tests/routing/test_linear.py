"""The linear matcher gives exactly the regex's answer, on chosen and on generated cases."""

from __future__ import annotations

import random

import pytest

from transom.routing import linear
from transom.routing.paths import compile_path

UUID = "0123abcd-0123-0123-0123-0123456789ab"


def regex_answer(template: str, path: str) -> dict[str, str] | None:
    regex = compile_path(template).regex
    assert regex is not None
    found = regex.fullmatch(path)
    return None if found is None else found.groupdict()


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/{a}-{b}", "/x-y-z", {"a": "x-y", "b": "z"}),
        ("/{a}-{b}", "/x-", None),
        ("/{a}-{b}-{c}/z", "/x-y-z-w/z", {"a": "x-y", "b": "z", "c": "w"}),
        ("/{a}-{b}-{c}/z", "/-----/z", {"a": "-", "b": "-", "c": "-"}),
        ("/{a}-{b}-{c}/z", "/----/z", None),
        ("/f/{a:path}/x/{b:path}/y", "/f/x/x/x/y", {"a": "x", "b": "x"}),
        ("/f/{a:path}/x/{b:path}/y", "/f/x/x//y", {"a": "x", "b": ""}),
        ("/f/{a:path}/x/{b:path}/y", "/f/a/x/y", None),
        ("/{a:path}{b:path}", "/ab", {"a": "ab", "b": ""}),
        ("/{a:path}/{b}", "/a\nb/c", None),  # `.*` takes no newline
        ("/{a}/{b:path}", "/a\nb/c\n", None),
        ("/{a}/{b:path}", "/a\nb/c", {"a": "a\nb", "b": "c"}),
        ("/{a}{n:int}", "/x12", {"a": "x1", "n": "2"}),
        ("/{n:int}{a}", "/12x", {"n": "12", "a": "x"}),
        ("/{f:float}{n:int}", "/1.25", {"f": "1.2", "n": "5"}),
        ("/{f:float}.{n:int}", "/1.2.3", {"f": "1.2", "n": "3"}),
        ("/{f:float}.{n:int}", "/1.2", {"f": "1", "n": "2"}),
        ("/{f:float}{a}", "/1.x", {"f": "1", "a": ".x"}),
        ("/{u:uuid}{a}", f"/{UUID}x", {"u": UUID, "a": "x"}),
        ("/{a}{u:uuid}", f"/x{UUID}", {"a": "x", "u": UUID}),
        ("/{a}{u:uuid}", f"/{UUID}", None),
    ],
)
def test_chosen_cases(template: str, path: str, expected: dict[str, str] | None) -> None:
    assert regex_answer(template, path) == expected  # what the regex says, spelled out
    assert linear.match(compile_path(template).parts, path) == expected


PIECES = ["/", "-", ".", "x", "/x/", "//", "{}", "{:path}", "{:int}", "{:float}", "{:uuid}"]
CHARACTERS = ["/", "-", ".", "x", "1", "2", "/x/", "\n", UUID]


def generated_cases(seed: int, count: int) -> list[tuple[str, str]]:
    """Random templates of the pieces above, with random paths of the characters above."""
    rng = random.Random(seed)
    cases: list[tuple[str, str]] = []
    while len(cases) < count:
        pieces = rng.choices(PIECES, k=rng.randint(1, 5))
        template = "/" + "".join(
            piece.replace("{", "{p" + str(index)) for index, piece in enumerate(pieces)
        )
        if "{" not in template:
            continue
        for _ in range(20):
            path = "/" + "".join(rng.choices(CHARACTERS, k=rng.randint(0, 9)))
            cases.append((template, path))
    return cases


@pytest.mark.parametrize("seed", range(5))
def test_generated_cases(seed: int) -> None:
    differences = [
        (template, path)
        for template, path in generated_cases(seed, 2000)
        if linear.match(compile_path(template).parts, path) != regex_answer(template, path)
    ]
    assert differences == []


def test_generated_cases_do_match() -> None:
    # The comparison above is only worth something if many cases match.
    cases = generated_cases(0, 2000)
    matched = [case for case in cases if regex_answer(*case) is not None]
    assert len(matched) > 50
