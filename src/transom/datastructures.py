"""The values a request carries beyond its raw bytes: uploaded files, form data, state.

Names and behaviour follow Starlette's and FastAPI's `datastructures` modules,
so `from transom.datastructures import UploadFile, FormData` ports as it is.
`Default` (a `DefaultPlaceholder`) is FastAPI's marker for an option that was
left at its default, which route options resolve as "not declared"
(`transom.routing.options`).
`Headers`, `QueryParams` and `URL` live in the sans-IO `transom.http` package
and are re-exported here.

This module holds values; it never parses a body (that is `transom.forms`, the
only user of python-multipart) and never imports pydantic at run time:
`UploadFile` describes itself to pydantic with a plain core-schema dict.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from tempfile import SpooledTemporaryFile
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, TypeAlias, TypeVar

from transom.concurrency import run_in_threadpool
from transom.http.headers import Headers
from transom.http.multidict import ImmutableMultiDict
from transom.http.urls import URL, QueryParams

if TYPE_CHECKING:
    from pydantic import GetJsonSchemaHandler
    from pydantic_core import CoreSchema

__all__ = [
    "URL",
    "Address",
    "Default",
    "DefaultPlaceholder",
    "FormData",
    "FormValue",
    "Headers",
    "QueryParams",
    "State",
    "UploadFile",
]


T = TypeVar("T")


class DefaultPlaceholder:
    """An option left at its default: `value` applies only if nothing closer says otherwise.

    Route options (`response_class=`, `generate_unique_id_function=`,
    `response_model=`, ...) given as `Default(value)` count as not declared: a
    router's or the app's setting wins, and `value` is what the route gets when
    none has one (for `response_model`, when the return annotation gives none).
    On a router, an `include_router` call or the app, a placeholder says nothing.
    This is how FastAPI's signatures mark their defaults, so code that forwards
    them (a router subclass passing `default_response_class=Default(JSONResponse)`)
    keeps its meaning.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DefaultPlaceholder) and other.value == self.value

    def __hash__(self) -> int:
        return hash((DefaultPlaceholder, self.value))

    def __repr__(self) -> str:
        return f"Default({self.value!r})"


def Default(value: T) -> T:  # noqa: N802 -- FastAPI's name, used as a default value
    """`value` marked as a default (a `DefaultPlaceholder`), typed as `value` itself.

    The return type lets a signature say `response_class: type[Response] =
    Default(JSONResponse)`; what is returned is the placeholder.
    """
    placeholder: Any = DefaultPlaceholder(value)
    return placeholder  # type: ignore[no-any-return]


class Address(NamedTuple):
    """The client's host and port."""

    host: str
    port: int


class State:
    """An attribute bag (`request.state.user = ...`) over a plain dict."""

    __slots__ = ("_state",)

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        object.__setattr__(self, "_state", {} if state is None else state)

    def __setattr__(self, key: str, value: Any) -> None:
        self._state[key] = value

    def __getattr__(self, key: str) -> Any:
        try:
            return self._state[key]
        except KeyError:
            raise AttributeError(f"State has no attribute {key!r}.") from None

    def __delattr__(self, key: str) -> None:
        del self._state[key]


class UploadFile:
    """A file uploaded in a `multipart/form-data` request.

    The form parser spools each file into `file`, a `SpooledTemporaryFile` that
    stays in memory up to 1 MiB and then rolls over to disk. The async methods
    call the file directly while it is in memory and in a worker thread once it
    is on disk, so the event loop never waits for the disk. A sync handler may
    use `file` itself.

    Attributes:
        file: The file object (blocking), positioned at the start after parsing.
        filename: The file name exactly as the client sent it, or `None`. It may
            contain anything (`../../etc/passwd`, `C:\\x\\y`, quotes): never use
            it as a path.
        size: The number of bytes written so far, or `None` if unknown.
        headers: The part's headers.
    """

    def __init__(
        self,
        file: BinaryIO,
        *,
        size: int | None = None,
        filename: str | None = None,
        headers: Headers | None = None,
    ) -> None:
        self.file = file
        self.size = size
        self.filename = filename
        self.headers = Headers() if headers is None else headers

    @property
    def content_type(self) -> str | None:
        """The part's `Content-Type` header, or `None` if it had none."""
        value: str | None = self.headers.get("content-type")
        return value

    @property
    def _in_memory(self) -> bool:
        file = self.file
        if isinstance(file, SpooledTemporaryFile):
            return not getattr(file, "_rolled", True)
        return isinstance(file, io.BytesIO)

    def _will_roll(self, size: int) -> bool:
        """Whether writing `size` more bytes moves a spooled file to disk."""
        limit: int = getattr(self.file, "_max_size", 0)
        return bool(limit) and self.file.tell() + size > limit

    async def write(self, data: bytes) -> None:
        """Write `data` at the current position (and count it in `size`)."""
        if self.size is not None:
            self.size += len(data)
        if self._in_memory and not self._will_roll(len(data)):
            self.file.write(data)
        else:
            await run_in_threadpool(self.file.write, data)

    async def read(self, size: int = -1) -> bytes:
        """Read up to `size` bytes (all that is left by default)."""
        if self._in_memory:
            return self.file.read(size)
        return await run_in_threadpool(self.file.read, size)

    async def seek(self, offset: int) -> None:
        """Move to byte `offset` from the start."""
        if self._in_memory:
            self.file.seek(offset)
        else:
            await run_in_threadpool(self.file.seek, offset)

    async def close(self) -> None:
        """Close the file; a spooled file on disk is deleted."""
        if self._in_memory:
            self.file.close()
        else:
            await run_in_threadpool(self.file.close)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(filename={self.filename!r}, size={self.size!r}, "
            f"headers={self.headers!r})"
        )

    @classmethod
    def _validate(cls, value: Any) -> UploadFile:
        if not isinstance(value, UploadFile):
            raise ValueError(f"Expected UploadFile, received: {type(value)}")
        return value

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> CoreSchema:
        """Validate by `isinstance`, as FastAPI does (a plain validator: no coercion)."""
        return {
            "type": "function-plain",
            "function": {"type": "no-info", "function": cls._validate},
        }

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        """FastAPI's JSON schema for a file in OpenAPI 3.1 (JSON Schema 2020-12)."""
        return {"type": "string", "contentMediaType": "application/octet-stream"}


#: A form value: a text field or an uploaded file.
FormValue: TypeAlias = str | UploadFile


class FormData(ImmutableMultiDict[FormValue]):
    """The fields and files of a form: an immutable multidict.

    As in Starlette, `form[key]` and `form.get(key)` give the **last** value
    sent for `key`, `getlist(key)` every value in order, `multi_items()` every
    pair; `keys()`, `values()`, `items()` and `len()` see each key once.
    `await form.close()`, or leaving `async with form:`, closes every file.
    """

    __slots__ = ()

    def __init__(
        self,
        items: Mapping[str, FormValue] | Iterable[tuple[str, FormValue]] = (),
        /,
        **kwargs: FormValue,
    ) -> None:
        if isinstance(items, FormData):
            pairs = items.multi_items()
        else:
            pairs = list(items.items() if isinstance(items, Mapping) else items)
        pairs.extend(kwargs.items())
        self._set(pairs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"

    async def close(self) -> None:
        """Close every uploaded file of the form."""
        for _, value in self._list:
            if isinstance(value, UploadFile):
                await value.close()

    async def __aenter__(self) -> FormData:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
