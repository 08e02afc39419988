# Static Files: a directory mounted under /static (relative to the working directory).
from transom import Transom
from transom.staticfiles import StaticFiles

app = Transom()

app.mount("/static", StaticFiles(directory="static"), name="static")
