"""FastAPI's documentation examples for WebSockets, streams, static files, templates and
middleware, ported by changing only the imports.

One module per example, named after its page (and the example's number on the page):
the documented code, with `fastapi` imports turned into `transom` ones and type
annotations added for mypy on helpers (a path operation's return annotation would be
its response model, so those keep the documented signatures):

- `websockets_001` … `websockets_003`: WebSockets (`_002_an` is the `Annotated` variant)
- `testing_websockets`: Testing WebSockets
- `sse_001` … `sse_005`: Server-Sent Events
- `stream_json_lines`: Stream JSON Lines
- `stream_data_001`, `stream_data_002`: Stream Data (the image is a smaller PNG)
- `static_files`: Static Files
- `templates`: Templates (the template and stylesheet are written by the tests)
- `middleware_001` … `middleware_003`: Advanced Middleware

`static_files` and `templates` name directories relative to the working directory, as
the page does, so the tests import them from a temporary directory holding those files.
"""
