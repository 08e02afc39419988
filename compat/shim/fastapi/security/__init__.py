"""`fastapi.security` resolves its names in `transom.security`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.security")
