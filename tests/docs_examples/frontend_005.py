# Frontend: only the files themselves, no fallback.
from transom import Transom

app = Transom()

app.frontend("/", directory="dist", fallback=None)
