"""Every setting of hubdemo, declared once: its default, its flag, its variable and its help.

Two frozen dataclasses hold them: ``BackendOptions`` (how the model is reached: task, token,
router, provider, timeouts…) and ``ServeOptions`` (the server: bind, limits, auth…). Each field
carries a ``Setting`` in its metadata, and everything else is derived from it:

- the CLI's options (cli/options.py builds each command's flags from the fields it takes);
- ``from_env``: the value of each field from a keyword, else its variable, else its default —
  how the CLI, the ASGI factory (web/asgi.py), ``hubdemo.load`` and ``create_app`` build them;
- ``to_env``: the variables that hand the options to ``serve --workers``' processes;
- the configuration table of the docs (``markdown_table``; tests/unit/test_settings.py fails when
  the docs lag behind, or name a variable that no longer exists).

A keyword (or a flag) wins over a variable, a variable over the default.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import UsageError

T = TypeVar("T", bound="Options")
ON = ("1", "true", "yes", "on")
OFF = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Setting:
    """How one option is given and described."""

    flag: str | None  # "--max-upload-mb"; None: not a flag (a variable only)
    env: str | None  # "HUBDEMO_MAX_UPLOAD_MB"; None: not read from the environment
    help: str
    commands: tuple[str, ...] = ()  # the CLI commands that take the flag
    minimum: float | None = None
    maximum: float | None = None
    negative: str | None = None  # a boolean's "off" flag: "--no-gradio-api"
    choices: tuple[str, ...] = ()  # the values a text setting takes, when it takes few
    defaults: Mapping[str, Any] = field(default_factory=dict)  # a command's own default


def setting(default: Any, help: str, **how: Any) -> Any:
    """A dataclass field carrying its Setting (see the module docstring)."""
    declared = Setting(how.pop("flag", None), how.pop("env", None), help, **how)
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"setting": declared})
    return field(default=default, metadata={"setting": declared})


DEFAULT_ROUTER = "https://router.huggingface.co"
MODEL_HELP = (
    "Hub id (org/name), huggingface/org/name, models/org/name, a Hub URL, a Space "
    "(spaces/owner/name), a saved model's directory, or module:function (with --task). "
    "org/name@revision pins a branch, tag or commit for --local."
)
REMOTE = ("serve", "describe", "predict", "smoke")  # the commands that reach a model's backend
SERVERS = ("serve", "endpoint")


@dataclass(frozen=True)
class Options:
    """The behaviour both groups share: reading, handing over and listing their settings."""

    @classmethod
    def settings(cls) -> Iterator[tuple[dataclasses.Field[Any], Setting]]:
        for found in dataclasses.fields(cls):
            yield found, found.metadata["setting"]

    @classmethod
    def from_env(
        cls: type[T],
        environ: Mapping[str, str] | None = None,
        *,
        command: str | None = None,
        **given: Any,
    ) -> T:
        """The options from ``given`` keywords (None counts as not given), else their
        variables in ``environ`` (os.environ), else the defaults (``command``'s own, when it
        has one). Raises UsageError naming an unknown keyword or a variable that does not
        parse."""
        environ = os.environ if environ is None else environ
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(given) - names)
        if unknown:
            raise UsageError(
                f"unknown option {', '.join(unknown)}; {cls.__name__} takes: "
                f"{', '.join(sorted(names))}"
            )
        values: dict[str, Any] = {}
        for spec, declared in cls.settings():
            value = given.get(spec.name)
            if value is None and declared.env and environ.get(declared.env, "").strip():
                value = parse(declared.env, environ[declared.env], spec.type, declared)
            if value is None and command is not None and command in declared.defaults:
                value = declared.defaults[command]
            if value is not None:
                values[spec.name] = value
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The variables that give these options to another process (None values left out,
        so that process's own environment still counts for them)."""
        found = {}
        for spec, declared in self.settings():
            value = getattr(self, spec.name)
            if declared.env is None or value is None:
                continue
            if isinstance(value, bool):
                found[declared.env] = "1" if value else "0"
            elif isinstance(value, list):
                found[declared.env] = ",".join(value)
            else:
                found[declared.env] = str(value)
        return found


def parse(name: str, text: str, kind: Any, declared: Setting) -> Any:
    """A variable's text as the field's type, or a UsageError that names the variable."""
    text = text.strip()
    kind = str(kind)
    if kind.startswith("bool"):
        if text.lower() in ON:
            return True
        if text.lower() in OFF:
            return False
        raise UsageError(f"{name}={text!r} is not a yes/no value: use 1 or 0")
    if kind.startswith("list"):
        return [item.strip() for item in text.split(",") if item.strip()]
    if kind.startswith(("int", "float")):
        try:
            number: float = int(text) if kind.startswith("int") else float(text)
        except ValueError:
            raise UsageError(f"{name}={text!r} is not a number") from None
        low, high = declared.minimum, declared.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise UsageError(f"{name}={text!r} is out of range ({low} to {high or 'any'})")
        return number
    if declared.choices and text not in declared.choices:
        raise UsageError(f"{name}={text!r} is not one of: {', '.join(declared.choices)}")
    return text


@dataclass(frozen=True)
class BackendOptions(Options):
    """How a model is reached and answered (every command that runs a model)."""

    task: str | None = setting(
        None,
        "Pipeline task to use instead of the model's pipeline_tag.",
        flag="--task",
        env="HUBDEMO_TASK",
        commands=(*REMOTE, "endpoint"),
    )
    token: str | None = setting(
        None,
        "Hub token (default: HF_TOKEN, then `hf auth login`).",
        flag="--token",
        env="HF_TOKEN",
        commands=(*REMOTE, "pull"),
    )
    router: str = setting(
        DEFAULT_ROUTER,
        "Inference router base: requests go to {router}/{provider}/….",
        flag="--router",
        env="HUBDEMO_ROUTER",
        commands=REMOTE,
    )
    endpoint: str | None = setting(
        None,
        "Send every request to this URL (an Inference Endpoint, TGI/TEI, another hubdemo).",
        flag="--endpoint",
        env="HUBDEMO_ENDPOINT",
        commands=REMOTE,
    )
    local: bool = setting(
        False,
        "Run the model on this machine (from the HF cache or a directory).",
        flag="--local",
        env="HUBDEMO_LOCAL",
        commands=REMOTE,
    )
    max_download_gb: float = setting(
        20.0,
        "--local (and the fallback when the router is unreachable): largest download of a "
        "model's files, in GB (refused above it; 0: never download).",
        flag="--max-download-gb",
        env="HUBDEMO_MAX_DOWNLOAD_GB",
        commands=("serve", "predict", "endpoint", "pull"),
        minimum=0.0,
    )
    provider: str = setting(
        "auto",
        "Inference Provider: auto (the first live one the Hub lists) or a name.",
        flag="--provider",
        env="HUBDEMO_PROVIDER",
        commands=REMOTE,
    )
    api_name: str | None = setting(
        None,
        "A Space's endpoint to serve (default: /predict, else its first named one).",
        flag="--api-name",
        env="HUBDEMO_API_NAME",
        commands=REMOTE,
    )
    space_token: bool = setting(
        False,
        "Send your token to the Space (a private Space gets it anyway; a public one does not).",
        flag="--space-token",
        env="HUBDEMO_SPACE_TOKEN",
        commands=REMOTE,
    )
    batch_size: int = setting(
        16,
        "Local backend: largest batch.",
        flag="--batch-size",
        env="HUBDEMO_BATCH_SIZE",
        commands=("serve", "endpoint"),
        minimum=1,
    )
    batch_wait_ms: float = setting(
        2.0,
        "Local backend: longest wait to fill a batch, in ms.",
        flag="--batch-wait-ms",
        env="HUBDEMO_BATCH_WAIT_MS",
        commands=("serve", "endpoint"),
        minimum=0.0,
    )
    retry_budget: float = setting(
        10.0,
        "Seconds a request may wait out 503 loading / 429.",
        flag="--retry-budget",
        env="HUBDEMO_RETRY_BUDGET",
        commands=("serve", "predict"),
        minimum=0.0,
        defaults={"predict": 60.0, "load": 60.0},
    )
    max_answer_mb: int = setting(
        200,
        "Largest answer an upstream may give, in MB (a Space's files together).",
        flag="--max-answer-mb",
        env="HUBDEMO_MAX_ANSWER_MB",
        commands=("serve", "predict"),
        minimum=1,
    )
    max_sessions: int = setting(
        1000,
        "Visitors whose Space session (their gr.State) is kept at once; the least recent goes.",
        flag="--max-sessions",
        env="HUBDEMO_MAX_SESSIONS",
        commands=("serve",),
        minimum=1,
    )
    session_ttl: float = setting(
        3600.0,
        "Seconds a visitor's Space session (their gr.State) is kept without a call.",
        flag="--session-ttl",
        env="HUBDEMO_SESSION_TTL",
        commands=("serve",),
        minimum=1.0,
    )
    timeout: float = setting(
        120.0,
        "Seconds for the upstream's whole answer (a stream: between two events; 10x in all).",
        flag="--timeout",
        env="HUBDEMO_TIMEOUT",
        commands=("serve", "predict"),
        minimum=0.1,
    )


@dataclass(frozen=True)
class ServeOptions(Options):
    """The server in front of the model (``hubdemo serve``; ``hubdemo endpoint`` in part)."""

    log_format: str = setting(
        "off",
        "One line per request on stderr (time, method, path, status, ms, the model's ms): "
        "text, json or off.",
        flag="--log-format",
        env="HUBDEMO_LOG_FORMAT",
        commands=("serve",),
        choices=("text", "json", "off"),
        defaults={"serve": "text"},
    )
    host: str = setting(
        "127.0.0.1", "Address to bind.", flag="--host", env="HUBDEMO_HOST", commands=SERVERS
    )
    port: int = setting(
        7860,
        "Port to bind.",
        flag="--port",
        env="HUBDEMO_PORT",
        commands=SERVERS,
        minimum=1,
        maximum=65535,
        defaults={"endpoint": 8080},
    )
    max_upload_mb: int = setting(
        20,
        "Largest request body, in MB.",
        flag="--max-upload-mb",
        env="HUBDEMO_MAX_UPLOAD_MB",
        commands=SERVERS,
        minimum=1,
    )
    concurrency: int = setting(
        32,
        "Predictions in flight.",
        flag="--concurrency",
        env="HUBDEMO_CONCURRENCY",
        commands=("serve",),
        minimum=1,
    )
    max_queue: int = setting(
        256,
        "Predictions waiting; beyond: 429 with Retry-After.",
        flag="--max-queue",
        env="HUBDEMO_MAX_QUEUE",
        commands=("serve",),
        minimum=0,
    )
    queue_timeout: float = setting(
        30.0,
        "Seconds a prediction may wait for its turn.",
        flag="--queue-timeout",
        env="HUBDEMO_QUEUE_TIMEOUT",
        commands=("serve",),
        minimum=0.1,
    )
    body_timeout: float = setting(
        120.0,
        "Seconds a request body may take to arrive.",
        flag="--body-timeout",
        env="HUBDEMO_BODY_TIMEOUT",
        commands=("serve",),
        minimum=0.1,
    )
    body_memory_mb: int = setting(
        160,
        "MB of request bodies held at once (all clients).",
        flag="--body-memory-mb",
        env="HUBDEMO_BODY_MEMORY_MB",
        commands=("serve",),
        minimum=1,
    )
    max_store_mb: int = setting(
        1024,
        "MB of files kept for Gradio's clients (uploads, answers); the oldest go first.",
        flag="--max-store-mb",
        env="HUBDEMO_MAX_STORE_MB",
        commands=("serve",),
        minimum=1,
    )
    header_timeout: float = setting(
        10.0,
        "Seconds a client has to send a request's head.",
        flag="--header-timeout",
        env="HUBDEMO_HEADER_TIMEOUT",
        commands=SERVERS,
        minimum=0.1,
    )
    max_connections: int = setting(
        2048,
        "Open connections; past it the slowest is dropped.",
        flag="--max-connections",
        env="HUBDEMO_MAX_CONNECTIONS",
        commands=SERVERS,
        minimum=1,
    )
    auth: str | None = setting(
        None,
        "Require credentials: user:password (HTTP Basic) or a token (Bearer).",
        flag="--auth",
        env="HUBDEMO_AUTH",
        commands=("serve",),
    )
    cors: list[str] = setting(
        [],
        "Let this browser origin call the API (repeatable; the variable: comma-separated).",
        flag="--cors",
        env="HUBDEMO_CORS",
        commands=("serve",),
    )
    allowed_hosts: list[str] = setting(
        [],
        "Also answer to this host name (repeatable; * for any). Always: IP addresses, "
        "localhost, the --host name.",
        flag="--allowed-host",
        env="HUBDEMO_ALLOWED_HOSTS",
        commands=("serve",),
    )
    workers: int = setting(
        1,
        "Worker processes (each resolves the model itself).",
        flag="--workers",
        env="HUBDEMO_WORKERS",
        commands=("serve",),
        minimum=1,
    )
    state: str | None = setting(
        None,
        "Keep Gradio's client sessions (events, cancels, files, conversations) in Redis: "
        "redis://host:6379/0 or unix:///path/redis.sock; any worker or replica then serves "
        "any request. Several --workers and none given: a private redis-server is started.",
        flag="--state",
        env="HUBDEMO_STATE_URL",
        commands=("serve",),
    )
    gradio_api: bool = setting(
        True,
        "Also speak Gradio's client protocol.",
        flag="--gradio-api",
        negative="--no-gradio-api",
        env="HUBDEMO_GRADIO_API",
        commands=("serve",),
    )
    arena: bool = setting(
        False,
        "Compare blind: the models' names hidden until the visitor votes (serve A B …).",
        flag="--arena",
        env="HUBDEMO_ARENA",
        commands=("serve",),
    )
    votes: str = setting(
        "votes.jsonl",
        "--arena: the JSON Lines file each vote is appended to (`hubdemo leaderboard` reads it).",
        flag="--votes",
        env="HUBDEMO_VOTES",
        commands=("serve",),
    )


# Variables that are not options of a command (the ASGI factory's model; the Hub's own; the
# proxy's).
VARIABLES: dict[str, str] = {
    "HUBDEMO_MODEL": "The model the ASGI factory serves (hubdemo.web.asgi:app_from_env; "
    "`serve --workers` sets it).",
    "HUBDEMO_UPSTREAM_CLIENT": "httpx: send upstream requests through httpx's own client "
    "instead of the lean transport (chosen by itself when a proxy is set).",
    "HF_ENDPOINT": "The Hub's API base (default https://huggingface.co): model and Space info.",
    "HF_HUB_OFFLINE": "1: never ask the Hub; models come from the cache (or a directory).",
    "HF_HUB_CACHE": "Where the Hugging Face cache is (default $HF_HOME/hub).",
    "HF_HOME": "huggingface_hub's home (default ~/.cache/huggingface): the cache, the token.",
    "HF_TOKEN_PATH": "The token file `hf auth login` wrote (default $HF_HOME/token).",
    "HTTPS_PROXY": "A proxy for the upstream (also HTTP_PROXY, ALL_PROXY; NO_PROXY exempts "
    "hosts): honoured through httpx's client.",
}
GROUPS: tuple[type[Options], ...] = (BackendOptions, ServeOptions)


def markdown_table() -> str:
    """The configuration table of the docs: every setting and variable, one row each."""
    rows = [
        "| flag | variable | default | commands | what it does |",
        "|---|---|---|---|---|",
    ]
    for group in GROUPS:
        for spec, declared in group.settings():
            flag = declared.flag or "—"
            if declared.negative:
                flag = f"{flag} / {declared.negative}"
            default = _shown(spec.default if spec.default_factory is dataclasses.MISSING else None)
            if declared.defaults:
                shown = ", ".join(f"{c}: {_shown(v)}" for c, v in declared.defaults.items())
                default += f" ({shown})"
            commands = ", ".join(declared.commands)
            rows.append(
                f"| `{flag}` | `{declared.env}` | {default} | {commands} | {declared.help} |"
            )
    for name, about in VARIABLES.items():
        rows.append(f"| — | `{name}` | — | all | {about} |")
    return "\n".join(rows) + "\n"


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{value}`"


START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def with_table(text: str) -> str:
    """``text`` with the table between its START and END markers made anew."""
    head, found, rest = text.partition(START)
    if not found or END not in rest:
        raise ValueError(f"the text has no {START} … {END} markers")
    return f"{head}{START}\n{markdown_table()}{END}{rest.split(END, 1)[1]}"


if __name__ == "__main__":  # python -m hubdemo.settings [FILE...]: print, or rewrite FILEs
    import sys
    from pathlib import Path

    if len(sys.argv) == 1:
        print(markdown_table(), end="")
    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
