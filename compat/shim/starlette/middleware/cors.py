"""`starlette.middleware.cors` resolves its names in `transom.middleware.cors`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.middleware.cors")
