# mypy: disable-error-code="no-untyped-def"
# Advanced Middleware: TrustedHostMiddleware.
from transom import Transom
from transom.middleware.trustedhost import TrustedHostMiddleware

app = Transom()

app.add_middleware(TrustedHostMiddleware, allowed_hosts=["example.com", "*.example.com"])


@app.get("/")
async def main():
    return {"message": "Hello World"}
