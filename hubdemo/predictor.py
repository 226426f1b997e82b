"""One prediction through the task's chain; shared by the server and the CLI."""

from __future__ import annotations

import time
from typing import Any

from .resolve import ModelSpec
from .tasks import TaskHandler, default_examples, get_task
from .upstream import Upstream


class Predictor:
    """Runs preprocess -> serialize -> upstream -> deserialize -> postprocess for one model."""

    def __init__(self, spec: ModelSpec, upstream: Upstream) -> None:
        self.spec = spec
        self.handler: TaskHandler = get_task(spec.task)
        self.upstream = upstream

    async def predict(self, body: Any) -> dict[str, Any]:
        """Answer one request body; raises HubdemoError subclasses for anything that fails."""
        started = time.perf_counter()
        task_input = self.handler.preprocess(body)
        response = await self.upstream.send(self.handler.serialize(task_input))
        output = self.handler.deserialize(response)
        data = self.handler.postprocess(output, task_input)
        return {"output": output, "data": data, "duration": time.perf_counter() - started}

    def examples(self) -> list[dict[str, Any]]:
        defaults = default_examples().get(self.spec.task, [])
        found = self.handler.examples(self.spec.widget_data, defaults)
        return [{"title": e.title, "data": e.data} for e in found]

    def info(self) -> dict[str, Any]:
        """The ``describe --json`` / ``GET /api/info`` object."""
        described = self.handler.describe()
        return {
            "model": self.spec.model_id,
            "task": self.spec.task,
            "title": described["title"],
            "action": described["action"],
            "source": self.spec.source,
            "pipeline_tag": self.spec.pipeline_tag,
            "library": self.spec.library,
            "license": self.spec.license,
            "gated": self.spec.gated,
            "hub_url": self.spec.hub_url,
            "inputs": described["inputs"],
            "outputs": described["outputs"],
            "chain": described["chain"],
            "examples": self.examples(),
            "upstream": {
                "kind": self.upstream.kind,
                "url": self.upstream.url_for(self.handler.route),
            },
        }
