"""`fastapi.security.base` resolves its names in `transom.security.base`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.security.base")
