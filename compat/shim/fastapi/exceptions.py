"""`fastapi.exceptions` is `transom.exceptions`, plus FastAPI's deprecation warning class.

`FastAPIDeprecationWarning` must exist: one test module marks
`filterwarnings("ignore::fastapi.exceptions.FastAPIDeprecationWarning")`, and pytest
aborts the whole session on an unknown warning category. Transom never emits it,
so tests that expect it still fail, as they should. `FastAPIError` is a rename of
Transom's equivalent class, like every other name here.
"""

from _transom_shim import forward

from transom.exceptions import DeclarationError

__all__ = ["FastAPIDeprecationWarning", "FastAPIError"]

__getattr__, __dir__ = forward(__name__, "transom.exceptions")

#: FastAPI's error for a declaration that cannot work is Transom's `DeclarationError`
#: (raised at the same points: a bad response model, a bad dependency, a bad path).
FastAPIError = DeclarationError


class FastAPIDeprecationWarning(UserWarning):
    """FastAPI's deprecation warning category (a `UserWarning`, as in FastAPI)."""
