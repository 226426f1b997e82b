"""The models of a compare demo, from the command line: ``serve A B [C D]`` (2 to 4 models of
one task), ``--provider p1,p2`` (one model on several providers) or ``org/name:provider`` (a
model on a provider of its own); each opened on its backend, their tasks and inputs checked to
be one form's."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import HubdemoError, UsageError
from ..providers import is_known

if TYPE_CHECKING:
    from ..predictor import Predictor
    from ..settings import BackendOptions

MOST = 4  # panes side by side on a desktop


@dataclass(frozen=True)
class Contender:
    """One pane: its name (unique: ``?model=`` and the answers' ``model``), the model string
    to open and the backend options it is opened with."""

    name: str
    model: str
    backend: BackendOptions


@dataclass
class Opened:
    """A contender connected to its backend."""

    contender: Contender
    predictor: Predictor

    @property
    def name(self) -> str:
        return self.contender.name


def contenders_of(models: list[str], backend: BackendOptions) -> list[Contender]:
    """The contenders the command line names. Raises UsageError for fewer than two or more
    than four, a list of providers beside several models, or the same one twice."""
    providers = [p.strip() for p in backend.provider.split(",") if p.strip()]
    if len(providers) > 1 and len(models) > 1:
        raise UsageError(
            "--provider p1,p2 compares one model on several providers; to compare models give "
            "each its own: org/name:provider"
        )
    if len(providers) > 1:
        model = models[0]
        found = [
            Contender(f"{model}:{p}", model, dataclasses.replace(backend, provider=p))
            for p in providers
        ]
    else:
        found = [contender_of(model, backend) for model in models]
    if not 2 <= len(found) <= MOST:
        raise UsageError(
            f"compare takes 2 to {MOST} models (got {len(found)}): hubdemo serve A B, or one "
            "model with --provider p1,p2"
        )
    names = [c.name for c in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(
            f"{', '.join(twice)} is given twice: compare different models or providers"
        )
    return found


def contender_of(model: str, backend: BackendOptions) -> Contender:
    """One model as given: ``org/name:provider`` pins a provider for this model alone (a
    ``module:function`` or a path keeps its colon: only a provider hubdemo knows is split
    off); of ``--provider p1,p2``, the first."""
    if "," in backend.provider:
        first = backend.provider.split(",", 1)[0].strip()
        return Contender(f"{model}:{first}", model, dataclasses.replace(backend, provider=first))
    base, colon, provider = model.rpartition(":")
    if colon and base and is_known(provider):
        return Contender(model, base, dataclasses.replace(backend, provider=provider))
    return Contender(model, model, backend)


def names_a_model(text: str) -> bool:
    """Whether a command-line value names a model (``org/name``, ``org/name:provider``, a
    Hub URL, a Space, a saved model's folder, ``module:function``) rather than being an input
    (text, a file)."""
    from pathlib import Path

    from ..errors import InvalidModelString
    from ..resolve import parse_model_string

    base, colon, provider = text.rpartition(":")
    if colon and base and is_known(provider):
        text = base
    if Path(text).is_file():
        return False
    if text.startswith("spaces/") and text.count("/") == 2:
        return True
    try:
        ref = parse_model_string(text)
    except InvalidModelString:
        return False
    # A bare word ("gpt2", "yes") is an input: a compared Hub model is named org/name.
    return ref.kind != "hub" or "/" in ref.value


def open_all(contenders: list[Contender], opener: Any) -> list[Opened]:
    """Each contender resolved and connected by ``opener(model, backend) -> (spec, upstream)``,
    at once (each asks the Hub). Raises UsageError when their tasks or inputs differ, naming
    each; the first failure to open, as it is, naming its model."""
    from ..predictor import Predictor

    def one(contender: Contender) -> Opened:
        try:
            spec, upstream = opener(contender.model, contender.backend)
        except HubdemoError as exc:
            exc.message = f"{contender.name}: {exc.message}"
            exc.args = (exc.message,)
            raise
        return Opened(contender, Predictor(spec, upstream))

    with ThreadPoolExecutor(max_workers=len(contenders)) as pool:
        futures = [pool.submit(one, c) for c in contenders]
        errors = [f.exception() for f in futures]
        opened = [f.result() for f, e in zip(futures, errors) if e is None]
    failed = next((e for e in errors if e is not None), None)
    if failed is not None:  # the command stops: what the others opened goes with it
        raise failed
    _check_one_form(opened)
    return opened


def _check_one_form(opened: list[Opened]) -> None:
    tasks = {o.name: o.predictor.spec.task for o in opened}
    if len(set(tasks.values())) > 1:
        listed = ", ".join(f"{name} is {task}" for name, task in tasks.items())
        raise UsageError(
            f"cannot compare models of different tasks ({listed}): compare models of one task"
        )
    forms = {o.name: _form(o.predictor) for o in opened}
    first = next(iter(forms.values()))
    if any(form != first for form in forms.values()):
        listed = "; ".join(
            f"{name} takes {', '.join(form) or 'nothing'}" for name, form in forms.items()
        )
        raise UsageError(
            f"these models do not take the same inputs ({listed}): one form cannot feed them all"
        )


def _form(predictor: Predictor) -> list[str]:
    """What the form must hold, in order (a Space's inputs may be named otherwise)."""
    return [c.kind + ("…" if c.multiple else "") for c in predictor.handler.inputs]
