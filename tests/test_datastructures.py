"""UploadFile and FormData: Starlette's semantics, closing, and UploadFile as a pydantic type."""

from __future__ import annotations

import io
from tempfile import SpooledTemporaryFile
from typing import Any, BinaryIO, cast

import anyio
import pydantic
import pytest

import transom.datastructures as datastructures
from transom.datastructures import FormData, Headers, UploadFile
from transom.http.headers import Headers as HttpHeaders
from transom.http.urls import URL, QueryParams
from transom.requests import Address, State


def spooled(max_size: int = 16) -> BinaryIO:
    return cast(BinaryIO, SpooledTemporaryFile(max_size=max_size))


def rolled(upload: UploadFile) -> bool:
    rolled_flag: bool = getattr(upload.file, "_rolled")  # noqa: B009
    return rolled_flag


# --- re-exports ----------------------------------------------------------------------------


def test_the_module_re_exports_what_starlette_s_does() -> None:
    assert datastructures.Headers is HttpHeaders
    assert (datastructures.URL, datastructures.QueryParams) == (URL, QueryParams)
    assert (datastructures.State, datastructures.Address) == (State, Address)


# --- UploadFile ----------------------------------------------------------------------------


def test_upload_file_reads_writes_and_seeks_in_memory() -> None:
    async def main() -> None:
        upload = UploadFile(spooled(), size=0, filename="a.txt")
        await upload.write(b"hello")
        await upload.seek(0)
        assert await upload.read(2) == b"he"
        assert await upload.read() == b"llo"
        assert (upload.size, rolled(upload)) == (5, False)
        await upload.close()
        assert upload.file.closed

    anyio.run(main)


def test_upload_file_rolls_to_disk_past_the_spool_size_and_keeps_working() -> None:
    async def main() -> None:
        upload = UploadFile(spooled(max_size=4), size=0)
        await upload.write(b"abc")
        assert not rolled(upload)
        await upload.write(b"defg")  # passes 4 bytes: written in a worker thread, on disk
        assert rolled(upload)
        await upload.seek(1)
        assert await upload.read() == b"bcdefg"
        assert upload.size == 7
        await upload.close()
        assert upload.file.closed

    anyio.run(main)


def test_upload_file_over_any_binary_file() -> None:
    async def main() -> None:
        upload = UploadFile(io.BytesIO(b"data"), filename="d.bin")
        assert await upload.read() == b"data"
        await upload.write(b"!")
        assert upload.size is None  # unknown size stays unknown
        with open(__file__, "rb") as handle:
            on_disk = UploadFile(handle)
            assert (await on_disk.read(3)) == b'"""'
            await on_disk.seek(0)
            assert (await on_disk.read(3)) == b'"""'
            await on_disk.close()
            assert handle.closed

    anyio.run(main)


def test_upload_file_content_type_comes_from_its_headers() -> None:
    headers = Headers({"Content-Type": "image/png"})
    assert UploadFile(io.BytesIO(), headers=headers).content_type == "image/png"
    assert UploadFile(io.BytesIO()).content_type is None
    assert UploadFile(io.BytesIO()).headers == Headers()


def test_upload_file_repr() -> None:
    upload = UploadFile(io.BytesIO(), size=3, filename="a.txt", headers=Headers({"X": "1"}))
    assert repr(upload) == "UploadFile(filename='a.txt', size=3, headers=Headers({'x': '1'}))"


class WithFile(pydantic.BaseModel):
    file: UploadFile
    files: list[UploadFile] = []


def test_upload_file_is_a_pydantic_field_type_validated_by_isinstance() -> None:
    upload = UploadFile(io.BytesIO(), filename="a")
    model = WithFile(file=upload, files=[upload])
    assert model.file is upload
    assert model.files[0] is upload
    assert pydantic.TypeAdapter(UploadFile).validate_python(upload) is upload


def test_a_non_upload_is_fastapi_s_value_error() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        pydantic.TypeAdapter(UploadFile).validate_python("not a file")
    error = caught.value.errors(include_url=False)[0]
    assert (error["type"], error["msg"]) == (
        "value_error",
        "Value error, Expected UploadFile, received: <class 'str'>",
    )


def test_upload_file_json_schema_is_fastapi_s_for_openapi_3_1() -> None:
    assert pydantic.TypeAdapter(UploadFile).json_schema() == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
    }
    schema = WithFile.model_json_schema()
    assert schema["properties"]["file"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "title": "File",
    }
    assert schema["properties"]["files"]["items"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
    }


# --- FormData ------------------------------------------------------------------------------


def test_form_data_is_starlette_s_multidict_last_value_wins() -> None:
    form = FormData([("a", "1"), ("b", "2"), ("a", "3")])
    assert form["a"] == "3"
    assert form.get("a") == "3"
    assert form.get("missing") is None
    assert form.get("missing", "x") == "x"
    assert form.getlist("a") == ["1", "3"]
    assert form.getlist("missing") == []
    assert form.multi_items() == [("a", "1"), ("b", "2"), ("a", "3")]
    assert list(form.keys()) == ["a", "b"]
    assert list(form.values()) == ["3", "2"]
    assert list(form.items()) == [("a", "3"), ("b", "2")]
    assert list(form) == ["a", "b"]
    assert len(form) == 2
    assert "a" in form
    assert "c" not in form
    assert cast(object, 1) not in form
    with pytest.raises(KeyError):
        form["c"]


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((), {}, []),
        (([("a", "1")],), {}, [("a", "1")]),
        (({"a": "1", "b": "2"},), {}, [("a", "1"), ("b", "2")]),
        ((FormData([("a", "1"), ("a", "2")]),), {}, [("a", "1"), ("a", "2")]),
        (([("a", "1")],), {"b": "2"}, [("a", "1"), ("b", "2")]),
        ((), {"a": "1"}, [("a", "1")]),
    ],
)
def test_form_data_is_built_from_pairs_a_mapping_or_another_form(
    args: tuple[Any, ...], kwargs: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    assert FormData(*args, **kwargs).multi_items() == expected


def test_form_data_equality_ignores_the_order_of_keys_not_of_values() -> None:
    assert FormData([("a", "1"), ("b", "2")]) == FormData([("b", "2"), ("a", "1")])
    assert FormData([("a", "1"), ("a", "2")]) != FormData([("a", "2"), ("a", "1")])
    assert FormData([("a", "1")]) != {"a": "1"}
    with pytest.raises(TypeError):
        hash(FormData())


def test_form_data_is_immutable() -> None:
    form = FormData([("a", "1")])
    with pytest.raises(TypeError):
        form["a"] = "2"  # type: ignore[index]


def test_form_data_repr_shows_every_pair() -> None:
    assert repr(FormData([("a", "1"), ("a", "2")])) == "FormData([('a', '1'), ('a', '2')])"


def test_form_data_close_and_async_with_close_every_file() -> None:
    async def main() -> None:
        one, two = UploadFile(spooled()), UploadFile(spooled())
        form = FormData([("f", one), ("t", "text"), ("f", two)])
        await form.close()
        assert one.file.closed
        assert two.file.closed
        three = UploadFile(spooled())
        async with FormData([("f", three)]) as entered:
            assert entered["f"] is three
            assert not three.file.closed
        assert three.file.closed

    anyio.run(main)


# Default: FastAPI's marker of a value left at its default -----------------------------


def test_default_is_a_placeholder_equal_by_value() -> None:
    placeholder = cast(datastructures.DefaultPlaceholder, datastructures.Default("a"))
    assert isinstance(placeholder, datastructures.DefaultPlaceholder)
    assert placeholder == datastructures.Default("a")
    assert placeholder != datastructures.Default("b")
    assert placeholder != "a"
    assert placeholder.value == "a"
    assert repr(placeholder) == "Default('a')"
    assert hash(placeholder) == hash(datastructures.Default("a"))


def test_default_is_true_when_its_value_is() -> None:
    assert datastructures.Default("a")
    assert not datastructures.Default("")
    assert not datastructures.Default(None)
