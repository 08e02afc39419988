"""`fastapi.applications` is `transom.applications`, with the shim's `FastAPI`."""

from _transom_shim import forward

from fastapi import FastAPI

__all__ = ["FastAPI"]

__getattr__, __dir__ = forward(__name__, "transom.applications")
