"""`fastapi._compat`: only the two names FastAPI re-exports from pydantic itself.

FastAPI's `_compat` is private, and its helpers are not mapped (tests of them fail
as `FastAPI internals: fastapi._compat`). Two of its names are pydantic's own
objects that FastAPI's tests import from there: `Undefined` (pydantic-core's
`PydanticUndefined`) and `PYDANTIC_VERSION_MINOR_TUPLE` (pydantic's version as
`(major, minor)`). They say nothing about FastAPI or Transom; with them, the tests
that import them exercise the public API they are about (`jsonable_encoder`, a
query alias).
"""

from pydantic.version import VERSION
from pydantic_core import PydanticUndefined

__all__ = ["PYDANTIC_VERSION_MINOR_TUPLE", "Undefined"]

Undefined = PydanticUndefined

#: pydantic's version as `(major, minor)`.
PYDANTIC_VERSION_MINOR_TUPLE = tuple(int(part) for part in VERSION.split(".")[:2])
