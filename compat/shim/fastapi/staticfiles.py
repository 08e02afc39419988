"""`fastapi.staticfiles` resolves its names in `transom.staticfiles`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.staticfiles")
