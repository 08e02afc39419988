"""`starlette.middleware.base` resolves its names in `transom.middleware.base`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.middleware.base")
