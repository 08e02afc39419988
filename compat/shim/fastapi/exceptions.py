"""`fastapi.exceptions` is `transom.exceptions`, plus FastAPI's deprecation warning class.

`FastAPIDeprecationWarning` must exist: one test module marks
`filterwarnings("ignore::fastapi.exceptions.FastAPIDeprecationWarning")`, and pytest
aborts the whole session on an unknown warning category. Transom never emits it,
so tests that expect it still fail, as they should.
"""

from _transom_shim import forward

__all__ = ["FastAPIDeprecationWarning"]

__getattr__, __dir__ = forward(__name__, "transom.exceptions")


class FastAPIDeprecationWarning(UserWarning):
    """FastAPI's deprecation warning category (a `UserWarning`, as in FastAPI)."""
