"""`fastapi.openapi.models` resolves its names in `transom.openapi.models`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.openapi.models")
