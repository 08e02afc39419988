"""`fastapi.security.oauth2` resolves its names in `transom.security.oauth2`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.security.oauth2")
