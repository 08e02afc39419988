"""`fastapi.testclient` resolves its names in `transom.testclient`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.testclient")
