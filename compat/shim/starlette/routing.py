"""`starlette.routing` resolves its names in `transom.routing`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.routing")
