"""`fastapi.openapi.docs` resolves its names in `transom.openapi.docs`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.openapi.docs")
