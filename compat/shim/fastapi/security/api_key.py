"""`fastapi.security.api_key` resolves its names in `transom.security.api_key`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.security.api_key")
