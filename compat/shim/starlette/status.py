"""`starlette.status` resolves its names in `transom.status`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.status")
