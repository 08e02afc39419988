"""`fastapi` is `transom`, with `FastAPI` a `Transom` carrying FastAPI's default title.

`FastAPI`'s only change is the default `title="FastAPI"` and `version="0.1.0"`,
which appear in every OpenAPI document FastAPI's tests compare against.
Every other name resolves in `transom` or is missing.
"""

from typing import Any

from _transom_shim import forward

from transom import Transom

__getattr__, __dir__ = forward(__name__, "transom")


class FastAPI(Transom):
    """`Transom` with FastAPI's default title and version."""

    def __init__(self, *, title: str = "FastAPI", version: str = "0.1.0", **options: Any) -> None:
        super().__init__(title=title, version=version, **options)
