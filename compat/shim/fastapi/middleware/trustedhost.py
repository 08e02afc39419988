"""`fastapi.middleware.trustedhost` resolves its names in `transom.middleware.trustedhost`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.middleware.trustedhost")
