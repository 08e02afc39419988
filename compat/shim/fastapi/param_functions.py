"""`fastapi.param_functions` resolves its names in `transom.params`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.params")
