"""Path templates: `/items/{item_id:int}` compiled once into a matcher.

A template is checked when the route is declared: it must start with `/`,
parameter names must be identifiers used once, and converters must be known.
A path operation may also be declared for documentation only, on a router that
is never served: a webhook's name (`new-subscription`) or a callback's URL,
whose OpenAPI runtime expressions (`{$callback_url}`, `{$request.body#/id}`)
are text, not parameters (`documents_only`). Such a path is refused where a
route would be served (`check_served`).

Matching takes time linear in the path's length. Most templates compile to a
regex that cannot backtrack more than that: each parameter is alone in its
segment, so the next `/` fixes where it ends, and at most one `path` parameter
can span segments. A template whose parameters can share text (two `path`
parameters, `{a}-{b}` in one segment) would let the regex try every way of
dividing a long path between them; it is matched by `linear.match` instead,
with the same result, once the path is too long for its regex to be cheap.

The router asks each route once per request (`PathTemplate.lookup`), and the
answer covers the path with its trailing slash toggled too (`/a` and `/a/`),
which is what the router needs to redirect a near miss.
"""

from __future__ import annotations

import enum
import math
import re
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeAlias

from transom.routing import linear
from transom.routing.linear import Part, Shape

__all__ = [
    "CONVERTERS",
    "SLASH",
    "Converter",
    "Lookup",
    "PathTemplate",
    "Toggled",
    "check_served",
    "compile_path",
    "documents_only",
    "refuse_documentation_path",
]


@dataclass(frozen=True, slots=True)
class Converter:
    """How a path parameter is matched (`regex`) and turned into a value (`convert`).

    `shape` tells the linear matcher what `regex` takes; they must agree.
    """

    regex: str
    convert: Callable[[str], Any]
    shape: Shape
    to_string: Callable[[Any], str] = str


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number.")
    return value


CONVERTERS: dict[str, Converter] = {
    "str": Converter(r"[^/]+", str, Shape.SEGMENT),
    "path": Converter(r".*", str, Shape.ANY),
    "int": Converter(r"[0-9]+", int, Shape.DIGITS),
    "float": Converter(r"[0-9]+(?:\.[0-9]+)?", _finite_float, Shape.DECIMAL),
    "uuid": Converter(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        uuid.UUID,
        Shape.FIXED,
    ),
}

_PARAM = re.compile(r"{([^{}]*)}")
#: An OpenAPI runtime expression in a callback URL: `{$request.body#/id}`.
_EXPRESSION = re.compile(r"{\$[^{}]*}")
#: About how many steps a backtracking regex may take before the linear matcher is cheaper.
_REGEX_STEPS = 100_000


class Toggled(enum.Enum):
    """The `lookup` answer when only the path with its trailing slash toggled matches."""

    SLASH = "slash"


SLASH = Toggled.SLASH
#: A lookup's answer: the parameters of a match, `SLASH`, or None.
Lookup: TypeAlias = "dict[str, Any] | Toggled | None"


class _Ending(enum.Enum):
    """Which paths a template can match, by their last character."""

    #: It ends with a literal `/`: only paths ending in `/`.
    SLASH = "slash"
    #: It ends with other literal text or a parameter that never takes `/`.
    NO_SLASH = "no-slash"
    #: It ends with a `path` parameter: paths ending either way.
    EITHER = "either"


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A compiled path template.

    Attributes:
        template: The template as declared, e.g. `/items/{item_id:int}`.
        regex: The anchored pattern, or `None` for a static path.
        converters: The converter of each parameter, by name.
        format: The template with converters stripped (`/items/{item_id}`), as in OpenAPI.
        lookup: What the router calls: `match` for the path and, in the same
            pass, for the path with its trailing slash toggled (see `Lookup`).
    """

    template: str
    regex: re.Pattern[str] | None
    converters: dict[str, Converter]
    format: str
    #: Every parameter is a plain `str`: the regex groups are the parameters.
    plain: bool = False
    #: The template's pieces, for the linear matcher.
    parts: tuple[Part, ...] = ()
    #: Paths longer than this go to the linear matcher instead of the regex.
    regex_limit: int = sys.maxsize
    ending: _Ending = _Ending.NO_SLASH
    #: For a template ending in `/{name:path}`: the template before that, which
    #: matches exactly the paths that match only once a `/` is appended.
    stem: PathTemplate | None = None
    lookup: Callable[[str], Lookup] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.regex is None:
            lookup = self._lookup_static
        elif self.ending is _Ending.NO_SLASH and self.regex_limit == sys.maxsize:
            lookup = self._lookup_groups if self.plain else self._lookup_converted
        else:
            lookup = self._lookup
        object.__setattr__(self, "lookup", lookup)

    @property
    def is_static(self) -> bool:
        return self.regex is None

    def match(self, path: str) -> dict[str, Any] | None:
        """The converted parameters if `path` matches, else `None`."""
        if self.regex is None:
            return {} if path == self.template else None
        return self._params(self._groups(path, len(path)))

    def _groups(self, path: str, end: int) -> dict[str, Any] | None:
        """The text of each parameter if `path[:end]` matches."""
        if end > self.regex_limit:
            return linear.match(self.parts, path[:end])
        # Only dynamic templates get here, so there is a regex.
        found = self.regex.fullmatch(path, 0, end)  # type: ignore[union-attr]
        return None if found is None else found.groupdict()

    def _params(self, groups: dict[str, Any] | None) -> dict[str, Any] | None:
        if groups is None or self.plain:
            return groups
        params: dict[str, Any] = {}
        for name, text in groups.items():
            try:
                params[name] = self.converters[name].convert(text)
            except ValueError:
                return None
        return params

    def _toggled(self, path: str, end: int) -> Toggled | None:
        return SLASH if self._params(self._groups(path, end)) is not None else None

    def _lookup_static(self, path: str) -> Lookup:
        if path == self.template:
            return {}
        other = path[:-1] if path.endswith("/") else path + "/"
        return SLASH if other == self.template else None

    def _lookup_groups(self, path: str) -> Lookup:
        """`lookup` for the commonest template: `str` parameters, a safe regex, no final `/`."""
        if path[-1] == "/":
            # Only the path without that slash can match: a redirect target, not a match.
            return self._toggled(path, len(path) - 1)
        # Only dynamic templates get here, so there is a regex.
        found = self.regex.fullmatch(path)  # type: ignore[union-attr]
        return None if found is None else found.groupdict()

    def _lookup_converted(self, path: str) -> Lookup:
        """`lookup` for a template with a safe regex that never matches a final `/`."""
        if path[-1] == "/":
            return self._toggled(path, len(path) - 1)
        found = self.regex.fullmatch(path)  # type: ignore[union-attr]
        return None if found is None else self._params(found.groupdict())

    def _lookup(self, path: str) -> Lookup:
        """`lookup` for every other template: the ending decides which paths to try."""
        slashed = path[-1] == "/"
        if self.ending is _Ending.NO_SLASH:
            if slashed:
                return self._toggled(path, len(path) - 1)
            return self._params(self._groups(path, len(path)))
        if self.ending is _Ending.SLASH:
            if not slashed:
                return self._toggled(path + "/", len(path) + 1)
            params = self._params(self._groups(path, len(path)))
            if params is None and path.endswith("//"):
                # Without its last slash the path still ends in one, so it may match:
                # the one case that runs the pattern twice.
                return self._toggled(path, len(path) - 1)
            return params
        params = self._params(self._groups(path, len(path)))
        # Ending in a `path` parameter: with a final `/` the path without it could
        # only match if this one did; without, the stem says if adding one helps.
        if params is not None or slashed or self.stem is None:
            return params
        return SLASH if self.stem.match(path) is not None else None

    def build(self, **params: Any) -> str:
        """The path with `params` filled in (for `url_path_for`)."""
        path = self.format
        for name, converter in self.converters.items():
            if name not in params:
                raise KeyError(f"Path {self.template!r} needs the parameter {name!r}.")
            path = path.replace("{" + name + "}", converter.to_string(params[name]))
        return path


def documents_only(path: str) -> bool:
    """Whether `path` only documents a request: a webhook's name, or a callback's URL.

    That is a path that does not start with `/` (but is not `""`, the path of a
    route that is only its router's prefix), or one with an OpenAPI runtime
    expression such as `{$callback_url}`.
    """
    return "{$" in path or (path != "" and not path.startswith("/"))


def check_served(path: str) -> None:
    """Refuse a path a served route cannot have: one that only documents a request.

    Raises:
        ValueError: naming the path, and where such a path belongs.
    """
    if documents_only(path):
        refuse_documentation_path(path)


def refuse_documentation_path(path: str) -> NoReturn:
    """Raise the error of a route that only documents a request, where it would be served.

    Raises:
        ValueError: naming the path, and where such a path belongs.
    """
    raise ValueError(
        f"Route path must start with '/', got {path!r}. A path that does not, or "
        "that has a runtime expression like '{$callback_url}', only documents a "
        "request this API sends: declare it on app.webhooks, or on a router whose "
        "routes are given as callbacks= (callbacks=router.routes); such a router is "
        "not included."
    )


def compile_path(
    template: str,
    *,
    prefix_only: bool = False,
    allow_empty: bool = False,
    documentation: bool = False,
) -> PathTemplate:
    """Compile a path template, raising `ValueError` with a clear message if it is bad.

    With `prefix_only` the pattern also matches longer paths (for mounts). With
    `allow_empty`, `""` is accepted (it matches nothing): a router's route whose
    path is only its include prefix, as `@router.get("")` is in FastAPI. With
    `documentation`, the template is a webhook's name or a callback's URL (see
    `documents_only`): it need not start with `/`, and its runtime expressions
    (`{$...}`) are text.
    """
    if not (template.startswith("/") or documentation or (allow_empty and template == "")):
        raise ValueError(f"Route path must start with '/', got {template!r}.")
    pattern = ["^"]
    converters: dict[str, Converter] = {}
    formatted: list[str] = []
    parts: list[Part] = []
    position = 0
    for found in _PARAM.finditer(template):
        if documentation and found[1].startswith("$"):
            continue  # a runtime expression: text, kept in the literal around it
        name, kind = _parameter(found[0], found[1], template, converters)
        literal = template[position : found.start()]
        pattern.append(re.escape(literal))
        pattern.append(f"(?P<{name}>{CONVERTERS[kind].regex})")
        formatted.append(literal + "{" + name + "}")
        converters[name] = converter = CONVERTERS[kind]
        fixed = re.compile(converter.regex) if converter.shape is Shape.FIXED else None
        parts += [Part(literal)] if literal else []
        parts.append(Part(name=name, shape=converter.shape, regex=fixed))
        position = found.end()
    rest = template[position:]
    text = _EXPRESSION.sub("", rest) if documentation else rest
    if "{" in text or "}" in text:
        raise ValueError(f"Route path {template!r} has an unbalanced '{{' or '}}'.")
    if not converters and not prefix_only:
        return PathTemplate(template, None, {}, template)
    pattern.append(re.escape(rest))
    pattern.append("(?:/.*)?$" if prefix_only else "$")
    parts += [Part(rest)] if rest else []
    return PathTemplate(
        template,
        re.compile("".join(pattern)),
        converters,
        "".join(formatted) + rest,
        plain=all(converter is CONVERTERS["str"] for converter in converters.values()),
        parts=tuple(parts),
        # A mount's pattern ends in a `.*` the parts do not describe; mounts
        # only run it for prefixes they have checked already.
        regex_limit=sys.maxsize if prefix_only else _regex_limit(parts),
        ending=_ending(parts[-1]),
        stem=None if prefix_only else _stem(template, parts),
    )


def _parameter(
    whole: str, inside: str, template: str, seen: dict[str, Converter]
) -> tuple[str, str]:
    """The name and converter of the parameter `whole` (`{inside}`), checked."""
    name, _, kind = inside.partition(":")
    kind = kind or "str"
    if not name.isidentifier():
        raise ValueError(
            f"Path parameter {whole!r} in {template!r} must be named by a Python "
            "identifier, e.g. '{item_id}'."
        )
    if name in seen:
        raise ValueError(f"Path parameter {name!r} appears twice in {template!r}.")
    if kind not in CONVERTERS:
        raise ValueError(
            f"Path parameter {whole!r} in {template!r} has unknown converter "
            f"{kind!r}; use one of {', '.join(sorted(CONVERTERS))}."
        )
    return name, kind


def _regex_limit(parts: Sequence[Part]) -> int:
    """The longest path the template's regex may be run on (see the module docstring)."""
    params = [part for part in parts if part.name is not None]
    crowded = False
    in_segment = 0
    for part in parts:
        if part.name is None:
            in_segment = 0 if "/" in part.text else in_segment
        else:
            in_segment += 1
            crowded = crowded or in_segment > 1
    spanning = sum(part.shape is Shape.ANY for part in params)
    if not crowded and spanning <= 1:
        return sys.maxsize
    # Backtracking over n parameters that share text costs up to about len(path) ** n steps.
    return int(_REGEX_STEPS ** (1 / len(params)))


def _ending(last: Part) -> _Ending:
    if last.name is None:
        return _Ending.SLASH if last.text.endswith("/") else _Ending.NO_SLASH
    return _Ending.EITHER if last.shape is Shape.ANY else _Ending.NO_SLASH


def _stem(template: str, parts: Sequence[Part]) -> PathTemplate | None:
    """For `/files/{name:path}`: the template `/files`, which matches exactly the paths
    that do not match as they are but would with a `/` appended (see `_lookup`).

    None if no such path exists: when the `path` parameters the template ends
    with follow anything but a literal `/`, or nothing but the first `/`.
    """
    index = len(parts)
    while index > 0 and parts[index - 1].name is not None and parts[index - 1].shape is Shape.ANY:
        index -= 1
    # A parameter's `text` is empty, so this also asks for a literal before them.
    if index == len(parts) or index == 0 or not parts[index - 1].text.endswith("/"):
        return None
    first = parts[index].name
    stem = template[: template.index("{" + f"{first}:")][:-1]
    return compile_path(stem) if stem else None
