"""`starlette.middleware.exceptions` resolves its names in `transom.middleware.exceptions`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.middleware.exceptions")
