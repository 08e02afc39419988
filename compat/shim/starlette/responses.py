"""`starlette.responses` resolves its names in `transom.responses`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.responses")
