# mypy: disable-error-code="no-untyped-def"
# Advanced Middleware: GZipMiddleware.
from transom import Transom
from transom.middleware.gzip import GZipMiddleware

app = Transom()

app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=5)


@app.get("/")
async def main():
    return "somebigcontent"
