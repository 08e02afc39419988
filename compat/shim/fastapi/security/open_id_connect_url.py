"""Names of `fastapi.security.open_id_connect_url`, resolved in the same-named Transom module."""

from _transom_shim import forward

__getattr__, __dir__ = forward(__name__, "transom.security.open_id_connect_url")
