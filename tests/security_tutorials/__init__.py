"""FastAPI's Security tutorial apps, ported by changing only the imports.

Each module is the documented code of one page (the `Annotated` variant for
Python 3.10+), with type annotations added for mypy (on helpers and
dependencies only: a path operation's return annotation would be its response
model) and the linter's spellings (`datetime.UTC`, `raise ... from None`):

- `tutorial001`: First Steps (the bearer token of the password flow)
- `tutorial002`: Get Current User
- `tutorial003`: Simple OAuth2 with Password and Bearer
- `tutorial004`: OAuth2 with Password (and hashing), Bearer with JWT tokens (PyJWT, pwdlib)
- `tutorial005`: OAuth2 scopes
- `tutorial006`: HTTP Basic Auth
- `tutorial007`: HTTP Basic Auth, checked with `secrets.compare_digest`

`tests/test_security_tutorials.py` checks what a client sees, and that each
module, with the imports turned back to FastAPI's, documents the same OpenAPI.
"""
