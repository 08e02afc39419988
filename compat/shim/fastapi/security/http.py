"""`fastapi.security.http` resolves its names in `transom.security.http`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.security.http")
