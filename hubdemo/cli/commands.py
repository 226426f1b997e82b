"""Every command, registered on the app in the order ``hubdemo --help`` lists them."""

from __future__ import annotations

from . import describe, endpoint, predict, pull, serve, smoke, tasks
from .app import app

app.command()(serve.serve)
app.command()(endpoint.endpoint)
app.command()(describe.describe)
app.command()(predict.predict)
app.command()(pull.pull)
app.command()(smoke.smoke)
app.command()(tasks.tasks)
