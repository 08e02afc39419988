"""`fastapi.encoders` resolves its names in `transom.encoders`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.encoders")
