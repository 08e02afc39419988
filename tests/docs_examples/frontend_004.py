# Frontend: declared on a router, served below the prefix it is included with.
from transom import APIRouter, Transom

app = Transom()
router = APIRouter()

router.frontend("/", directory="dist", fallback="index.html")
app.include_router(router, prefix="/app")
