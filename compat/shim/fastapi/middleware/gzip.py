"""`fastapi.middleware.gzip` resolves its names in `transom.middleware.gzip`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.middleware.gzip")
