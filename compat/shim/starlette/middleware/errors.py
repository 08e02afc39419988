"""`starlette.middleware.errors` resolves its names in `transom.middleware.errors`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.middleware.errors")
