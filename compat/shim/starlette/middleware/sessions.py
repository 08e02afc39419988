"""`starlette.middleware.sessions` resolves its names in `transom.middleware.sessions`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.middleware.sessions")
