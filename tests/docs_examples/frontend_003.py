# Frontend: a static site, whose missing pages get its 404.html.
from transom import Transom

app = Transom()

app.frontend("/", directory="dist", fallback="404.html")
