# Frontend: the build may appear after the app is created.
from transom import Transom

app = Transom()

app.frontend("/", directory="dist", check_dir=False)
