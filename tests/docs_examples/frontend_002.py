# Frontend: a single-page app, whose client-side routes all get index.html.
from transom import Transom

app = Transom()

app.frontend("/", directory="dist", fallback="index.html")
