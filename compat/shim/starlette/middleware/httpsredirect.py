"""`starlette.middleware.httpsredirect` resolves its names in `transom.middleware.httpsredirect`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.middleware.httpsredirect")
