"""How a step's request values are read: the one definition.

For each step that has path, query, header or cookie parameters, `reads`
writes the source lines that put their raw values into a dict `data` (absent
values left out, so that pydantic fills in defaults or reports them missing).
Plan building compiles those lines into the step's `extract(request)`; the
compiled runner of a route (`di/compile.py`) inlines the very same lines, so
the fast path and the error report cannot disagree about what was sent.

Nothing user-controlled reaches the source: names are embedded with `repr`.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from transom.di.codegen import define
from transom.params import ParamSource
from transom.requests import Request
from transom.sealing import current_context, joined_value, open_value
from transom.temporal import SCOPE_KEY

if TYPE_CHECKING:
    from transom.di.plan import Input

__all__ = [
    "DEFAULTS",
    "SEALED",
    "Reads",
    "SealedReader",
    "default_number",
    "extract_function",
    "prologue",
    "reads",
]

logger = logging.getLogger("transom.cookies")

_T = TypeVar("_T")

#: The per-request views the lines may use, each set up once at the top of a function.
_VIEWS = {
    "scope": "scope = request.scope",
    "query": "query = request.query_params",
    "cookies": "cookies = request.cookies",
}


@dataclasses.dataclass(frozen=True, slots=True)
class Reads:
    """Source lines that set `data` to a step's raw request values, given `request`."""

    lines: tuple[str, ...]
    #: The views in `lines` (`scope`, `query`, `cookies`): see `prologue`.
    views: frozenset[str]


class SealedReader:
    """How a signed or encrypted cookie parameter is read: opened, then validated as its type.

    A value that does not open (tampered, truncated, expired, another name or
    purpose, a key no longer in the ring) or whose payload does not fit the
    type is absent: `None`, logged at debug level without the value. A value
    only an older key opened is sealed again with the newest key on the
    temporal response (`CookieSetter.reissue`).
    """

    __slots__ = ("adapter", "encrypted", "name", "purpose")

    #: Scope key of what this request's readers opened: `collect_errors` reads
    #: the values again, and a value is opened (and logged, and re-issued) once.
    OPENED_KEY = "transom.sealed"

    def __init__(self, name: str, purpose: str | None, encrypted: bool, annotation: Any) -> None:
        self.name = name
        self.purpose = purpose
        self.encrypted = encrypted
        self.adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    def __call__(self, request: Request, cookies: Mapping[str, str]) -> Any:
        opened: dict[SealedReader, Any] = request.scope.setdefault(self.OPENED_KEY, {})
        if self in opened:
            return opened[self]
        value = opened[self] = self._read(request, cookies)
        return value

    def _read(self, request: Request, cookies: Mapping[str, str]) -> Any:
        context = current_context()
        if context is None or context.keyring is None:
            kind = "encrypted" if self.encrypted else "signed"
            raise RuntimeError(
                f"Cookie parameter {self.name!r} is {kind}, and this request's app has no "
                "key ring: Transom(keyring=Keyring.from_env('APP_KEYS'))."
            )
        text = joined_value(cookies, self.name)
        if text is None:
            return None
        opened = open_value(
            context.keyring, self.name, self.purpose, text, encrypted=self.encrypted
        )
        if opened is None:
            return None
        try:
            value = self.adapter.validate_json(opened.payload)
        except ValidationError as exc:
            logger.debug(
                "Cookie %r was ignored: its payload does not fit the parameter (%d errors).",
                self.name,
                exc.error_count(),
            )
            return None
        if opened.key_index:
            temporal = request.scope.get(SCOPE_KEY)
            if temporal is not None:
                temporal.reissue(self.name, opened, encrypted=self.encrypted, purpose=self.purpose)
        return value


#: Every sealed-cookie reader, by number: the generated lines call `sealed[n](...)`.
SEALED: dict[int, SealedReader] = {}
_SEALED_NUMBERS: dict[tuple[Any, ...], int] = {}


def sealed_number(reader_key: tuple[Any, ...], make: Callable[[], SealedReader]) -> int:
    """The number of the reader for `reader_key`, made once (`make`) per distinct key."""
    return _number(SEALED, _SEALED_NUMBERS, reader_key, make)


#: The defaults of parameter-model fields, by number: the generated lines call
#: `defaults[n]()` for a field the request leaves out (see `default_number`).
DEFAULTS: dict[int, Callable[[], Any]] = {}
_DEFAULT_NUMBERS: dict[tuple[Any, ...], int] = {}


def default_number(field_key: tuple[Any, ...], field: FieldInfo) -> int | None:
    """The number of the maker of `field`'s default, or None if it has none to fill in.

    As in FastAPI, a parameter model gets a fresh copy of the default of each
    field the request leaves out, so the default is validated and counts as set.
    A `None` default is left to the model, and so is a factory that needs the
    validated data (there is none yet).
    """
    if field.is_required() or field.default_factory_takes_validated_data:
        return None
    if field.default_factory is None and field.default is None:
        return None

    def make() -> Callable[[], Any]:
        return lambda: copy.deepcopy(field.get_default(call_default_factory=True))

    return _number(DEFAULTS, _DEFAULT_NUMBERS, field_key, make)


def _number(
    registry: dict[int, _T],
    numbers: dict[tuple[Any, ...], int],
    key: tuple[Any, ...],
    make: Callable[[], _T],
) -> int:
    """The number in `registry` of the entry for `key`, made once (`make`) per distinct key."""
    try:
        number = numbers.get(key)
    except TypeError:  # an unhashable key: an entry of its own
        number, key = None, ()
    if number is None:
        number = len(registry)
        registry[number] = make()
        if key:
            numbers[key] = number
    return number


def reads(inputs: Sequence[Input]) -> Reads:
    """The lines that read `inputs` (a step's non-body parameters) into `data`."""
    if _path_only(inputs):
        # The router's dict is the data: no copy.
        return Reads(("data = scope['path_params']",), frozenset({"scope"}))
    views: set[str] = set()
    lines = ["data = {}"]
    for item in inputs:
        if item.fields:
            lines += _read_model(item, views)
            lines.append(f"data[{item.key!r}] = model")
            continue
        lines += _read(item, views)
        present = "value" if item.sequence else "value is not None"
        lines += [f"if {present}:", f"    data[{item.key!r}] = value"]
    return Reads(tuple(lines), frozenset(views))


def _read_model(item: Input, views: set[str]) -> list[str]:
    """Lines that set `model` to the dict a parameter model is validated from."""
    lines = ["model = {}"]
    for field in item.fields:
        lines += _read(field, views)
        present = "value" if field.sequence else "value is not None"
        lines += [f"if {present}:", f"    model[{field.key!r}] = value"]
        if field.default is not None:
            lines += [
                "else:",
                f"    value = defaults[{field.default}]()",
                "    if value is not None:",
                f"        model[{field.key!r}] = value",
            ]
    if item.extras:
        # What no field reads, under the name it was sent with; repeated, a list. A
        # name that is a field's key but not its request name (`x_user_id` for the
        # header `x-user-id`) is left out: it must not fill the field.
        read = tuple(sorted({name for field in item.fields for name in (field.lookup, field.key)}))
        lines += [
            f"for name, value in {_ALL[item.source]}:",
            f"    if name not in {read!r}:",
            "        if name not in model:",
            "            model[name] = value",
            "        elif type(model[name]) is list:",
            "            model[name].append(value)",
            "        else:",
            "            model[name] = [model[name], value]",
        ]
        views.add(
            {ParamSource.QUERY: "query", ParamSource.COOKIE: "cookies"}.get(item.source, "scope")
        )
    return lines


#: Every (name, value) pair of a source, for the extras of a parameter model.
_ALL = {
    ParamSource.QUERY: "query.multi_items()",
    ParamSource.HEADER: "((k.decode('latin-1'), v.decode('latin-1')) for k, v in scope['headers'])",
    ParamSource.COOKIE: "cookies.items()",
}


def prologue(views: Collection[str]) -> list[str]:
    """The lines that set up `views` from `request`, in one fixed order."""
    return [line for view, line in _VIEWS.items() if view in views]


def extract_function(
    step_reads: Reads, *, owner: str, runs: Callable[..., Any]
) -> Callable[[Request], dict[str, Any]]:
    """`extract(request)`: the raw values `step_reads` reads, as a dict.

    Args:
        step_reads: The step's lines.
        owner: The step's label, to name the function in tracebacks.
        runs: The step's callable.
    """
    body = [*prologue(step_reads.views), *step_reads.lines, "return data"]
    extract: Callable[[Request], dict[str, Any]] = define(
        "def extract(request):",
        body,
        kind="extract",
        owner=owner,
        namespace={"sealed": SEALED, "defaults": DEFAULTS},
        runs=runs,
    )
    return extract


def _path_only(inputs: Sequence[Input]) -> bool:
    """Every input is a single path parameter under its own name."""
    return all(
        item.source is ParamSource.PATH and item.key == item.lookup and not item.sequence
        for item in inputs
    )


def _read(item: Input, views: set[str]) -> list[str]:
    """Lines that set `value` to one input's raw value, or `None`/`[]` if absent."""
    source = item.source
    if source is ParamSource.PATH:
        views.add("scope")
        return [f"value = scope.get('path_params', {{}}).get({item.lookup!r})"]
    if source is ParamSource.QUERY:
        views.add("query")
        method = "getlist" if item.sequence else "get"
        return [f"value = query.{method}({item.lookup!r})"]
    if source is ParamSource.HEADER:
        views.add("scope")
        name = item.lookup_bytes
        if item.sequence:
            return [f"value = [v.decode('latin-1') for k, v in scope['headers'] if k == {name!r}]"]
        return [
            "value = None",
            "for k, v in scope['headers']:",
            f"    if k == {name!r}:",
            "        value = v.decode('latin-1')",
            "        break",
        ]
    views.add("cookies")
    if item.sealed is not None:
        return [f"value = sealed[{item.sealed}](request, cookies)"]
    return [f"value = cookies.get({item.lookup!r})"]
