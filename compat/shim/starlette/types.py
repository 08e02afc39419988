"""`starlette.types` resolves its names in `transom._types`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom._types")
