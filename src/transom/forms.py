"""Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data`.

`parse_form` feeds a body stream, chunk by chunk, to python-multipart's
streaming parsers, so a body is never held whole in memory: a text field is
kept up to `max_part_size` bytes, a file is spooled into an `UploadFile` (in
memory up to 1 MiB, then a temporary file on disk) and has no limit of its own
beyond the request's `max_body_size`. The limits and their messages are
Starlette's, so a FastAPI client sees the same 400s.

Decoding is lenient where the bytes are text (a URL-encoded name or value, a
multipart value or file name: invalid UTF-8 becomes U+FFFD, a bad `%` escape
stays as it is) and strict where the form's structure is at stake: a multipart
body that breaks the syntax, ends early or has a part without a UTF-8 name is
a `MalformedForm` (400) whose `detail` says what is wrong. When parsing fails,
every file spooled so far is closed. A file name is kept exactly as sent and
never used as a path.

This is the only module that imports python-multipart.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from tempfile import SpooledTemporaryFile
from types import TracebackType
from typing import Any, BinaryIO, cast
from urllib.parse import unquote_to_bytes

from python_multipart import MultipartParser, QuerystringParser
from python_multipart.exceptions import FormParserError

from transom.datastructures import FormData, FormValue, UploadFile
from transom.exceptions import MalformedForm
from transom.http.headers import Headers, RawHeaders
from transom.http.media import decode_extended_value, parse_header_options

__all__ = [
    "DEFAULT_MAX_FIELDS",
    "DEFAULT_MAX_FILES",
    "DEFAULT_MAX_PART_SIZE",
    "SPOOL_MAX_SIZE",
    "AwaitableForm",
    "parse_form",
]

#: Starlette's defaults for `Request.form()`.
DEFAULT_MAX_FILES = 1000
DEFAULT_MAX_FIELDS = 1000
DEFAULT_MAX_PART_SIZE = 1024 * 1024
#: An uploaded file stays in memory up to this many bytes, then moves to disk.
SPOOL_MAX_SIZE = 1024 * 1024
# python-multipart's limit; RFC 2046 asks senders for at most 70 characters.
_MAX_BOUNDARY_LENGTH = 256


async def parse_form(
    request_stream: AsyncIterator[bytes],
    content_type_header: str,
    *,
    max_files: int = DEFAULT_MAX_FILES,
    max_fields: int = DEFAULT_MAX_FIELDS,
    max_part_size: int = DEFAULT_MAX_PART_SIZE,
) -> FormData:
    """Parse a form body from `request_stream`, as its `Content-Type` says.

    Args:
        request_stream: The body in chunks (`request.stream()`).
        content_type_header: The request's `Content-Type` header ("" if none).
        max_files: The most file parts a multipart form may have.
        max_fields: The most text fields a form may have.
        max_part_size: The most bytes of one text field (a file is not limited).

    Returns:
        The fields and files in the order sent. A `Content-Type` that is not a
        form gives an empty `FormData`, and the body is not read.

    Raises:
        MalformedForm: (a 400) for a broken multipart body or a passed limit.
    """
    media_type, options = parse_header_options(content_type_header)
    if media_type == "multipart/form-data":
        reader = _MultipartReader(options, max_files, max_fields, max_part_size)
        return await reader.read(request_stream)
    if media_type == "application/x-www-form-urlencoded":
        return await _read_urlencoded(request_stream, max_fields, max_part_size)
    return FormData()


def _part_too_large(max_part_size: int, what: str) -> MalformedForm:
    return MalformedForm(f"{what} exceeded maximum size of {int(max_part_size / 1024)}KB.")


def _too_many(what: str, limit: int) -> MalformedForm:
    return MalformedForm(f"Too many {what}. Maximum number of {what} is {limit}.")


def _unquote(raw: bytearray) -> str:
    """A URL-encoded name or value: `+` is a space, a bad `%` escape stays, UTF-8 leniently."""
    if b"%" in raw or b"+" in raw:
        raw = bytearray(unquote_to_bytes(bytes(raw).replace(b"+", b" ")))
    return raw.decode("utf-8", "replace")


class _UrlencodedReader:
    """python-multipart's query-string callbacks, collecting `(name, value)` pairs."""

    def __init__(self, max_fields: int, max_part_size: int) -> None:
        self.max_fields = max_fields
        self.max_part_size = max_part_size
        self.items: list[tuple[str, FormValue]] = []
        self.name = bytearray()
        self.value = bytearray()

    def on_field_start(self) -> None:
        self.name = bytearray()
        self.value = bytearray()

    def _grow(self, size: int) -> None:
        if len(self.name) + len(self.value) + size > self.max_part_size:
            raise _part_too_large(self.max_part_size, "Field")

    def on_field_name(self, data: bytes, start: int, end: int) -> None:
        self._grow(end - start)
        self.name += data[start:end]

    def on_field_data(self, data: bytes, start: int, end: int) -> None:
        self._grow(end - start)
        self.value += data[start:end]

    def on_field_end(self) -> None:
        if len(self.items) >= self.max_fields:
            raise _too_many("fields", self.max_fields)
        self.items.append((_unquote(self.name), _unquote(self.value)))


async def _read_urlencoded(
    stream: AsyncIterator[bytes], max_fields: int, max_part_size: int
) -> FormData:
    reader = _UrlencodedReader(max_fields, max_part_size)
    parser = QuerystringParser(
        {
            "on_field_start": reader.on_field_start,
            "on_field_name": reader.on_field_name,
            "on_field_data": reader.on_field_data,
            "on_field_end": reader.on_field_end,
        }
    )
    async for chunk in stream:
        parser.write(chunk)
    parser.finalize()
    return FormData(reader.items)


def _charset(options: dict[str, str]) -> str:
    """The charset of the multipart `Content-Type` (Starlette's reading), UTF-8 by default."""
    charset = options.get("charset", "utf-8")
    try:
        info = codecs.lookup(charset)
    except LookupError:
        return "utf-8"
    # rot13 and the like are codecs too, but not of bytes into text.
    return info.name if getattr(info, "_is_text_encoding", True) else "utf-8"


class _Part:
    """The part being read: its headers, then its name and text or file."""

    __slots__ = ("data", "headers", "name", "upload")

    def __init__(self) -> None:
        self.headers: RawHeaders = []
        self.name = ""
        self.data = bytearray()
        self.upload: UploadFile | None = None


class _MultipartReader:
    """python-multipart's multipart callbacks, building the form part by part.

    The callbacks are synchronous, so file data is queued in `pending` and
    written (maybe in a worker thread) after each chunk: at most one chunk of a
    file is held in memory at a time.
    """

    def __init__(
        self, options: dict[str, str], max_files: int, max_fields: int, max_part_size: int
    ) -> None:
        boundary = options.get("boundary", "")
        if not boundary:
            raise MalformedForm(
                "Invalid multipart data: the Content-Type header has no boundary. "
                "Send 'multipart/form-data; boundary=...' with the boundary the body uses."
            )
        if len(boundary) > _MAX_BOUNDARY_LENGTH:
            raise MalformedForm(
                f"Invalid multipart data: the boundary is {len(boundary)} characters long, "
                f"more than {_MAX_BOUNDARY_LENGTH}."
            )
        self.boundary = boundary.encode("latin-1")
        self.charset = _charset(options)
        self.max_files = max_files
        self.max_fields = max_fields
        self.max_part_size = max_part_size
        self.items: list[tuple[str, FormValue]] = []
        self.files = 0
        self.fields = 0
        self.part = _Part()
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.opened: list[UploadFile] = []
        self.pending: list[tuple[UploadFile, bytes]] = []
        self.finished: list[UploadFile] = []
        self.received = 0
        self.ended = False

    async def read(self, stream: AsyncIterator[bytes]) -> FormData:
        """Parse the whole body; on any failure close the files and re-raise."""
        parser = MultipartParser(
            self.boundary,
            {
                "on_part_begin": self.on_part_begin,
                "on_part_data": self.on_part_data,
                "on_part_end": self.on_part_end,
                "on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value,
                "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished,
                "on_end": self.on_end,
            },
        )
        try:
            async for chunk in stream:
                self._feed(parser, chunk)
                await self._flush()
            parser.finalize()
            if self.received and not self.ended:
                raise MalformedForm(
                    "Invalid multipart data: the body ended before the closing boundary "
                    f"('--{self.boundary.decode('latin-1')}--'); it was cut short."
                )
        except BaseException:
            # Synchronous on purpose: this also runs when the request is cancelled.
            for upload in self.opened:
                upload.file.close()
            raise
        return FormData(self.items)

    def _feed(self, parser: MultipartParser, chunk: bytes) -> None:
        try:
            parser.write(chunk)
        except FormParserError as exc:
            offset = self.received + max(getattr(exc, "offset", 0), 0)
            if str(exc).startswith("Maximum header"):
                reason = "a part has too many headers, or a header that is too long"
            else:
                reason = (
                    "the body does not follow the multipart/form-data syntax: each part "
                    "starts with '--' and the boundary of the Content-Type header, and "
                    "lines end with CRLF"
                )
            raise MalformedForm(f"Invalid multipart data at byte {offset}: {reason}.") from exc
        self.received += len(chunk)

    async def _flush(self) -> None:
        for upload, data in self.pending:
            await upload.write(data)
        self.pending.clear()
        for upload in self.finished:
            await upload.seek(0)
        self.finished.clear()

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers.append((bytes(self.header_name).lower(), bytes(self.header_value)))
        self.header_name = bytearray()
        self.header_value = bytearray()

    def on_headers_finished(self) -> None:
        part = self.part
        disposition = ""
        for name, value in part.headers:
            if name == b"content-disposition":
                disposition = value.decode("latin-1")
        _, options = parse_header_options(disposition)
        if "name" not in options:
            raise MalformedForm(
                "Invalid multipart data: a part has no Content-Disposition header with a "
                "name. Send 'Content-Disposition: form-data; name=\"...\"' in every part."
            )
        part.name = self._decode_name(options["name"])
        filename = self._filename(options)
        if filename is None:
            self.fields += 1
            if self.fields > self.max_fields:
                raise _too_many("fields", self.max_fields)
            return
        self.files += 1
        if self.files > self.max_files:
            raise _too_many("files", self.max_files)
        # The file outlives this call: the form (or a failed parse) closes it.
        file = cast(BinaryIO, SpooledTemporaryFile(max_size=SPOOL_MAX_SIZE))  # noqa: SIM115
        part.upload = UploadFile(file, size=0, filename=filename, headers=Headers(raw=part.headers))
        self.opened.append(part.upload)

    def _decode_name(self, raw: str) -> str:
        encoded = raw.encode("latin-1")
        try:
            return encoded.decode(self.charset)
        except UnicodeDecodeError:
            raise MalformedForm(
                f"Invalid multipart data: the field name {encoded!r} is not valid "
                f"{self.charset}. Send field names in UTF-8."
            ) from None

    def _filename(self, options: dict[str, str]) -> str | None:
        """`filename*` (RFC 8187) if it decodes, else `filename`, else `None` (a text field)."""
        extended = options.get("filename*")
        if extended is not None:
            decoded = decode_extended_value(extended)
            if decoded is not None:
                return decoded
        plain = options.get("filename")
        if plain is None:
            return None
        return plain.encode("latin-1").decode(self.charset, "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        if part.upload is not None:
            self.pending.append((part.upload, data[start:end]))
            return
        if len(part.data) + end - start > self.max_part_size:
            raise _part_too_large(self.max_part_size, "Part")
        part.data += data[start:end]

    def on_part_end(self) -> None:
        part = self.part
        if part.upload is None:
            self.items.append((part.name, part.data.decode(self.charset, "replace")))
        else:
            self.items.append((part.name, part.upload))
            self.finished.append(part.upload)

    def on_end(self) -> None:
        self.ended = True


class AwaitableForm:
    """What `Request.form()` returns: await it, or enter it with `async with`.

    `form = await request.form()` gives the `FormData`; `async with
    request.form() as form:` gives it too and closes its files on exit, as
    Starlette's `request.form()` does.
    """

    __slots__ = ("_form", "_parse")

    _form: FormData  # set by __aenter__

    def __init__(self, parse: Callable[[], Awaitable[FormData]]) -> None:
        self._parse = parse

    def __await__(self) -> Generator[Any, Any, FormData]:
        return self._parse().__await__()

    async def __aenter__(self) -> FormData:
        self._form = await self._parse()
        return self._form

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._form.close()
