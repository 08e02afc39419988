# A custom route class: time the path operations of one router.
import time
from collections.abc import Awaitable, Callable

from transom import APIRouter, Request, Response, Transom
from transom.routing import APIRoute


class TimedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original_route_handler = super().get_route_handler()

        async def custom_route_handler(request: Request) -> Response:
            before = time.perf_counter()
            response: Response = await original_route_handler(request)
            response.headers["X-Response-Time"] = f"{time.perf_counter() - before:.6f}"
            return response

        return custom_route_handler


app = Transom()
router = APIRouter(route_class=TimedRoute)


@app.get("/")
async def not_timed() -> dict[str, str]:
    return {"message": "Not timed"}


@router.get("/timed")
async def timed() -> dict[str, str]:
    return {"message": "It's the time of my life"}


app.include_router(router)
