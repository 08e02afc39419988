"""`fastapi.sse` resolves its names in `transom.sse`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.sse")
