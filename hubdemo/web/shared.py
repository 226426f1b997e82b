"""What every route of one server shares (the gate, the body budget, the templates), made
once from its ServeOptions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..server.bodies import BodyBudget, Inbound
from ..server.limits import Gate
from ..settings import ServeOptions
from .panel import help_html, panel


def templates_dir() -> Path:
    """templates/ of the source tree, or the copy a wheel installs inside the package."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("hubdemo's templates/ folder is missing: reinstall hubdemo")


@dataclass
class Shared:
    """What every route of one server shares: the gate predictions run through, the memory
    budget their bodies are held in, how bodies are read, and the page's templates."""

    gate: Gate
    budget: BodyBudget
    inbound: Inbound
    templates: Jinja2Templates
    folder: Path

    @classmethod
    def of(cls, options: ServeOptions) -> Shared:
        gate = Gate(options.concurrency, options.max_queue, options.queue_timeout)
        limit = options.max_upload_mb * 2**20
        budget = BodyBudget(max(options.body_memory_mb * 2**20, limit), options.queue_timeout)
        folder = templates_dir()
        templates = Jinja2Templates(directory=str(folder))
        templates.env.tests["data_url"] = lambda v: isinstance(v, str) and v.startswith("data:")
        templates.env.globals["parameter_panel"] = panel
        templates.env.filters["help_html"] = help_html
        return cls(gate, budget, Inbound(limit, options.body_timeout, budget), templates, folder)

    def static(self) -> Mount:
        return Mount("/static", StaticFiles(directory=str(self.folder / "static")), name="static")
