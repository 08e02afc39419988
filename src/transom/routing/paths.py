"""Path templates: `/items/{item_id:int}` compiled once into a matcher.

A template is checked when the route is declared: it must start with `/`,
parameter names must be identifiers used once, and converters must be known.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["CONVERTERS", "Converter", "PathTemplate", "compile_path"]


@dataclass(frozen=True, slots=True)
class Converter:
    """How a path parameter is matched (`regex`) and turned into a value (`convert`)."""

    regex: str
    convert: Callable[[str], Any]
    to_string: Callable[[Any], str] = str


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number.")
    return value


CONVERTERS: dict[str, Converter] = {
    "str": Converter(r"[^/]+", str),
    "path": Converter(r".*", str),
    "int": Converter(r"[0-9]+", int),
    "float": Converter(r"[0-9]+(?:\.[0-9]+)?", _finite_float),
    "uuid": Converter(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        uuid.UUID,
    ),
}

_PARAM = re.compile(r"{([^{}]*)}")


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A compiled path template.

    Attributes:
        template: The template as declared, e.g. `/items/{item_id:int}`.
        regex: The anchored pattern, or `None` for a static path.
        converters: The converter of each parameter, by name.
        format: The template with converters stripped (`/items/{item_id}`), as in OpenAPI.
    """

    template: str
    regex: re.Pattern[str] | None
    converters: dict[str, Converter]
    format: str
    #: Every parameter is a plain `str`: the regex groups are the parameters.
    plain: bool = False

    @property
    def is_static(self) -> bool:
        return self.regex is None

    def match(self, path: str) -> dict[str, Any] | None:
        """The converted parameters if `path` matches, else `None`."""
        if self.regex is None:
            return {} if path == self.template else None
        found = self.regex.fullmatch(path)
        if found is None:
            return None
        if self.plain:
            return found.groupdict()
        params: dict[str, Any] = {}
        for name, text in found.groupdict().items():
            try:
                params[name] = self.converters[name].convert(text)
            except ValueError:
                return None
        return params

    def build(self, **params: Any) -> str:
        """The path with `params` filled in (for `url_path_for`)."""
        path = self.format
        for name, converter in self.converters.items():
            if name not in params:
                raise KeyError(f"Path {self.template!r} needs the parameter {name!r}.")
            path = path.replace("{" + name + "}", converter.to_string(params[name]))
        return path


def compile_path(
    template: str, *, prefix_only: bool = False, allow_empty: bool = False
) -> PathTemplate:
    """Compile a path template, raising `ValueError` with a clear message if it is bad.

    With `prefix_only` the pattern also matches longer paths (for mounts). With
    `allow_empty`, `""` is accepted (it matches nothing): a router's route whose
    path is only its include prefix, as `@router.get("")` is in FastAPI.
    """
    if not template.startswith("/") and not (allow_empty and template == ""):
        raise ValueError(f"Route path must start with '/', got {template!r}.")
    pattern = ["^"]
    converters: dict[str, Converter] = {}
    formatted: list[str] = []
    position = 0
    for found in _PARAM.finditer(template):
        name, _, kind = found[1].partition(":")
        kind = kind or "str"
        if not name.isidentifier():
            raise ValueError(
                f"Path parameter {found[0]!r} in {template!r} must be named by a Python "
                "identifier, e.g. '{item_id}'."
            )
        if name in converters:
            raise ValueError(f"Path parameter {name!r} appears twice in {template!r}.")
        if kind not in CONVERTERS:
            raise ValueError(
                f"Path parameter {found[0]!r} in {template!r} has unknown converter "
                f"{kind!r}; use one of {', '.join(sorted(CONVERTERS))}."
            )
        literal = template[position : found.start()]
        pattern.append(re.escape(literal))
        pattern.append(f"(?P<{name}>{CONVERTERS[kind].regex})")
        formatted.append(literal + "{" + name + "}")
        converters[name] = CONVERTERS[kind]
        position = found.end()
    rest = template[position:]
    if "{" in rest or "}" in rest:
        raise ValueError(f"Route path {template!r} has an unbalanced '{{' or '}}'.")
    if not converters and not prefix_only:
        return PathTemplate(template, None, {}, template)
    pattern.append(re.escape(rest))
    pattern.append("(?:/.*)?$" if prefix_only else "$")
    return PathTemplate(
        template,
        re.compile("".join(pattern)),
        converters,
        "".join(formatted) + rest,
        plain=all(converter is CONVERTERS["str"] for converter in converters.values()),
    )
