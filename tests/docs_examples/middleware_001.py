# mypy: disable-error-code="no-untyped-def"
# Advanced Middleware: HTTPSRedirectMiddleware.
from transom import Transom
from transom.middleware.httpsredirect import HTTPSRedirectMiddleware

app = Transom()

app.add_middleware(HTTPSRedirectMiddleware)


@app.get("/")
async def main():
    return {"message": "Hello World"}
