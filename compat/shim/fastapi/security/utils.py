"""`fastapi.security.utils` resolves its names in `transom.security.utils`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.security.utils")
