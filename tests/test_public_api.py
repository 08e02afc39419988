"""The public API: what `transom` exports, and that every `__all__` is sorted and real."""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import re
from types import ModuleType

import pytest

import transom


def isort_key(name: str) -> tuple[int, tuple[str | int, ...]]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then the rest; natural sort within."""
    if len(name) > 1 and name.isupper():
        category = 0
    elif name[:1].isupper():
        category = 1
    else:
        category = 2
    parts = re.split(r"(\d+)", name)
    return category, tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def public_modules() -> list[str]:
    names = ["transom"]
    for info in pkgutil.walk_packages(transom.__path__, "transom."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


PUBLIC_MODULES = public_modules()

#: Modules of the foundation that must declare their public names.
MODULES_WITH_ALL = [
    "transom",
    "transom.background",
    "transom.concurrency",
    "transom.datastructures",
    "transom.exceptions",
    "transom.forms",
    "transom.http.cookies",
    "transom.http.headers",
    "transom.http.media",
    "transom.http.policy",
    "transom.http.urls",
    "transom.keyring",
    "transom.requests",
    "transom.response_cookies",
    "transom.responses",
    "transom.security",
    "transom.sealing",
    "transom.status",
    "transom.testclient",
]


def test_isort_key_orders_like_ruff() -> None:
    names = ["status", "Headers", "MAX_AGE", "HTTPException", "HeaderError", "URL", "a2", "a10"]
    assert sorted(names, key=isort_key) == [
        "MAX_AGE",
        "URL",
        "HTTPException",
        "HeaderError",
        "Headers",
        "a2",
        "a10",
        "status",
    ]


def test_public_modules_are_found() -> None:
    assert set(MODULES_WITH_ALL) <= set(PUBLIC_MODULES)


def test_transom_all_is_sorted_and_unique() -> None:
    assert transom.__all__ == sorted(transom.__all__, key=isort_key)
    assert len(set(transom.__all__)) == len(transom.__all__)


@pytest.mark.parametrize("name", transom.__all__)
def test_every_name_in_transom_all_is_importable(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from transom import {name}", namespace)
    assert namespace[name] is getattr(transom, name)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from transom import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(transom.__all__)


@pytest.mark.parametrize("module_name", MODULES_WITH_ALL)
def test_foundation_modules_declare_all(module_name: str) -> None:
    assert isinstance(getattr(importlib.import_module(module_name), "__all__", None), list)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_module_all_is_sorted_unique_and_defined(module_name: str) -> None:
    module: ModuleType = importlib.import_module(module_name)
    names: list[str] = getattr(module, "__all__", [])  # see MODULES_WITH_ALL for required ones
    assert names == sorted(names, key=isort_key)
    assert len(set(names)) == len(names)
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == []


def test_version_matches_the_installed_distribution() -> None:
    assert transom.__version__ == importlib.metadata.version("transom")


@pytest.mark.parametrize(
    "name",
    ["HeaderError", "CookieError"],
)
def test_rule_errors_are_value_errors(name: str) -> None:
    error = getattr(transom, name)
    assert issubclass(error, ValueError)
