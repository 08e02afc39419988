"""`fastapi.exception_handlers` resolves its names in `transom.exception_handlers`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.exception_handlers")
