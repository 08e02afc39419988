# Frontend: a static build served at the root, with the automatic fallback.
from transom import Transom

app = Transom()

app.frontend("/", directory="dist")
