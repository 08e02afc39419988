"""One app written for FastAPI and ported to Transom (`docs/porting.md`).

The two files differ in their imports only; `tests/test_docs_porting.py` checks
that they answer alike.
"""
