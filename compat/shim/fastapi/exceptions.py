"""`fastapi.exceptions` is `transom.exceptions`, plus FastAPI's deprecation warning class.

`FastAPIDeprecationWarning` must exist: one test module marks
`filterwarnings("ignore::fastapi.exceptions.FastAPIDeprecationWarning")`, and pytest
aborts the whole session on an unknown warning category. It is Transom's
`DeprecatedOptionWarning` (a `UserWarning`, as FastAPI's), and `FastAPIError` is
Transom's `DeclarationError`: renames of Transom's equivalent classes, like every
other name here.
"""

from _transom_shim import forward

from transom.exceptions import DeclarationError, DeprecatedOptionWarning

__all__ = ["FastAPIDeprecationWarning", "FastAPIError"]

__getattr__, __dir__ = forward(__name__, "transom.exceptions")

#: FastAPI's error for a declaration that cannot work is Transom's `DeclarationError`
#: (raised at the same points: a bad response model, a bad dependency, a bad path).
FastAPIError = DeclarationError

#: FastAPI's warning for a deprecated option (`regex=`, `example=`, ...).
FastAPIDeprecationWarning = DeprecatedOptionWarning
