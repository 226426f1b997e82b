"""Model information from the Hugging Face Hub (``{HF_ENDPOINT}/api/models/{id}``)."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx

from . import jsonio
from .errors import GatedModel, HubUnreachable, ModelNotFound
from .net import read_within, ssl_context

DEFAULT_ENDPOINT = "https://huggingface.co"
TOKEN_HELP = "pass a token with --token or HF_TOKEN (or run `hf auth login`)"

# A whole answer of the Hub (model info, a card's example file) within this many seconds:
# httpx's timeouts are per read, and a server trickling a byte at a time never trips them.
HUB_DEADLINE = 30.0
MAX_INFO_BYTES = 16 * 2**20

# With expand[], the Hub answers only the fields named: those hubdemo reads, and the providers
# that serve the model (in the user's order of preference when a token is sent).
EXPANDED = (
    "pipeline_tag", "library_name", "tags", "cardData", "widgetData", "gated", "sha",
    "inferenceProviderMapping",
)  # fmt: skip
EXPAND_QUERY = "&".join(f"expand[]={field}" for field in EXPANDED)

# One request per model per process: describe, serve and predict may resolve the same id twice.
_INFO_CACHE: dict[tuple[str, str, bool], dict[str, Any]] = {}


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/")


def new_hub_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The Hub client's settings; ``transport`` records or replays (hubdemo smoke)."""
    return httpx.Client(
        timeout=httpx.Timeout(15.0, connect=5.0),
        follow_redirects=True,
        transport=transport,
        verify=ssl_context(),
    )


def find_token(explicit: str | None = None) -> str | None:
    """The token to send upstream: --token, then HF_TOKEN, then the one `hf auth login` saved
    (HF_TOKEN_PATH, else $HF_HOME/token; read directly: importing huggingface_hub costs memory
    a long-running server would keep)."""
    if explicit:
        return explicit
    if os.environ.get("HF_TOKEN"):
        return os.environ["HF_TOKEN"]
    home = os.environ.get("HF_HOME") or os.path.join("~", ".cache", "huggingface")
    path = os.environ.get("HF_TOKEN_PATH") or os.path.join(home, "token")
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as saved:
            token = saved.read().strip()
    except OSError:
        return None
    return token or None


class HubClient:
    """Reads model info from the Hub; follows the Hub's redirects of renamed repos."""

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.endpoint = (endpoint or hub_endpoint()).rstrip("/")
        self._token = token
        self._client = client or new_hub_client()

    @property
    def token(self) -> str | None:
        return self._token

    def model_url(self, repo_id: str) -> str:
        return f"{self.endpoint}/{repo_id}"

    def model_info(self, repo_id: str) -> dict[str, Any]:
        """Return the model-info JSON of ``repo_id``.

        Raises:
            ModelNotFound: the repo does not exist or is private and the token cannot see it.
            GatedModel: the Hub refuses access until the model's terms are accepted.
            HubUnreachable: the Hub did not answer.
        """
        key = (self.endpoint, repo_id, self._token is not None)
        if key not in _INFO_CACHE:
            url = f"{self.endpoint}/api/models/{repo_id}?{EXPAND_QUERY}"
            _INFO_CACHE[key] = self._info("model", repo_id, url)
        return _INFO_CACHE[key]

    def space_info(self, space_id: str) -> dict[str, Any]:
        """The Hub's JSON about a Space (runtime stage, sdk, host, private); asked afresh each
        time, as a sleeping Space's stage changes. Raises as model_info does."""
        return self._info("Space", space_id, f"{self.endpoint}/api/spaces/{space_id}")

    def _info(self, kind: str, repo_id: str, url: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                body = read_within(response, time.monotonic() + HUB_DEADLINE, MAX_INFO_BYTES)
        except (httpx.HTTPError, TimeoutError, ValueError) as exc:
            why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            skip = "pass --task to skip the Hub lookup" if kind == "model" else "try again"
            raise HubUnreachable(
                f"cannot reach the Hub at {self.endpoint} for the {kind} info ({why}): check "
                f"your connection or HF_ENDPOINT; {skip}"
            ) from None
        if response.status_code in (401, 404):
            hint = (
                "check the spelling, or ask the owner for access"
                if self._token
                else f"check the spelling; if it is private, {TOKEN_HELP}"
            )
            raise ModelNotFound(f"{kind} '{repo_id}' was not found on {self.endpoint}: {hint}")
        if response.status_code == 403:
            raise GatedModel(
                f"{kind} '{repo_id}' is gated: accept its terms at {self.model_url(repo_id)} "
                f"while logged in, then {TOKEN_HELP} from that account"
            )
        if response.status_code >= 400:
            raise HubUnreachable(
                f"the Hub at {self.endpoint} answered {response.status_code} for '{repo_id}'; "
                "try again later"
                + (", or pass --task to skip the Hub lookup" if kind == "model" else "")
            )
        try:
            info = jsonio.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise HubUnreachable(
                f"the Hub at {self.endpoint} sent something that is not JSON for '{repo_id}': "
                "check HF_ENDPOINT points at a Hub"
            ) from None
        if not isinstance(info, dict):
            raise HubUnreachable(f"the Hub at {self.endpoint} sent unexpected {kind} info")
        return info

    def close(self) -> None:
        self._client.close()
