"""The documentation site's tutorial examples, one app per page (`docs/tutorial/`).

The pages include these files verbatim; `tests/test_docs_tutorial.py` runs each.
"""
