"""`fastapi.datastructures` resolves its names in `transom.datastructures`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.datastructures")
