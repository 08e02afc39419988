"""`fastapi.background` resolves its names in `transom.background`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.background")
