"""One ASGI app per framework, each implementing the same five scenarios (see ../scenarios.py)."""
