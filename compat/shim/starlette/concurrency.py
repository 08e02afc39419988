"""`starlette.concurrency` resolves its names in `transom.concurrency`."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.concurrency")
