"""`fastapi.templating` resolves its names in `transom.templating`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.templating")
