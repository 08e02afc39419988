"""`fastapi.openapi.constants` resolves its names in `transom.openapi.constants`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.openapi.constants")
