"""The one exception tree of hubdemo.

Every error a user can cause or meet carries the HTTP status the server answers with, the
exit code the CLI ends with, and a message that says what to do about it::

    HubdemoError                      500 / exit 1   (never raised directly)
    ├── UsageError                    400 / exit 2   bad model string, unknown task, bad flag
    │   ├── InvalidModelString
    │   ├── NoTaskError               the model has no pipeline_tag
    │   ├── UnsupportedTaskError
    │   ├── LocalBackendMissing       torch/transformers are not installed
    │   ├── FunctionLoadError         module:function cannot be imported or called
    │   ├── UnsupportedSpace          not a Gradio Space, or no endpoint hubdemo can draw
    │   └── DownloadRefused           --local would fetch too much, has no room, or finds no
    │                                 weights it can load
    ├── InputError                    400 / exit 2   the prediction input is wrong
    │   ├── PayloadTooLarge           413
    │   ├── RequestTimeout            408   the body took too long to arrive
    │   ├── UnsupportedMedia          415
    │   └── InvalidParameter          422
    ├── ServerBusy                    429 + Retry-After: more predictions than --max-queue waiting
    ├── StateUnavailable              503 / exit 1   the shared session state (Redis) cannot be
    │                                                reached, or several workers have none
    ├── HubError                      the Hub could not tell us about the model
    │   ├── ModelNotFound             404 / exit 2
    │   ├── GatedModel                403 / exit 2
    │   ├── NoProviderError           404 / exit 2   no provider hubdemo can call serves it
    │   ├── SpaceUnavailable          503 / exit 1   the Space is asleep, paused, broken, building
    │   └── HubUnreachable            503 / exit 1
    └── UpstreamError                 502 / exit 1   the inference endpoint failed
        ├── UpstreamAuthError         401 (or 403)
        ├── UpstreamPaymentRequired   402            a provider's credits are used up
        ├── UpstreamNotFound          404
        ├── UpstreamRejectedInput     422            the model refused the input
        ├── UpstreamRateLimited       429 + Retry-After
        ├── UpstreamLoading           503 + Retry-After
        ├── UpstreamTimeout           504
        ├── UpstreamUnreachable       502            the connection failed or broke
        │   └── UpstreamRefused                      no connection at all (refused, timed out):
        │                                            a cached model on this machine can take over
        ├── UpstreamBadResponse       502            the answer was not what the task returns
        ├── LocalModelError           502            the in-process model or function failed
        └── NotRecorded               502            replaying a cassette that lacks the request

Errors are converted only at the edges: the CLI prints one line and exits with ``exit_code``;
the app's single handler answers ``{"error": message, "type": class name}`` with ``status``.
"""

from __future__ import annotations


class HubdemoError(Exception):
    """Base of every error hubdemo reports to a person."""

    status: int = 500
    exit_code: int = 1

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after

    @property
    def type(self) -> str:
        return type(self).__name__

    def to_json(self) -> dict[str, str]:
        return {"error": self.message, "type": self.type}


class UsageError(HubdemoError):
    status = 400
    exit_code = 2


class InvalidModelString(UsageError):
    pass


class NoTaskError(UsageError):
    pass


class UnsupportedTaskError(UsageError):
    pass


class LocalBackendMissing(UsageError):
    pass


class FunctionLoadError(UsageError):
    pass


class UnsupportedSpace(UsageError):
    pass


class DownloadRefused(UsageError):
    pass


class InputError(HubdemoError):
    status = 400
    exit_code = 2


class PayloadTooLarge(InputError):
    status = 413


class RequestTimeout(InputError):
    status = 408


class UnsupportedMedia(InputError):
    status = 415


class InvalidParameter(InputError):
    status = 422


class ServerBusy(HubdemoError):
    status = 429


class StateUnavailable(HubdemoError):
    status = 503


class HubError(HubdemoError):
    status = 502


class ModelNotFound(HubError):
    status = 404
    exit_code = 2


class GatedModel(HubError):
    status = 403
    exit_code = 2


class NoProviderError(HubError):
    status = 404
    exit_code = 2


class SpaceUnavailable(HubError):
    status = 503


class HubUnreachable(HubError):
    status = 503


class UpstreamError(HubdemoError):
    status = 502


class UpstreamAuthError(UpstreamError):
    status = 401


class UpstreamPaymentRequired(UpstreamError):
    status = 402


class UpstreamNotFound(UpstreamError):
    status = 404


class UpstreamRejectedInput(UpstreamError):
    status = 422
    exit_code = 2


class UpstreamRateLimited(UpstreamError):
    status = 429


class UpstreamLoading(UpstreamError):
    status = 503


class UpstreamTimeout(UpstreamError):
    status = 504


class UpstreamUnreachable(UpstreamError):
    status = 502


class UpstreamRefused(UpstreamUnreachable):
    pass


class UpstreamBadResponse(UpstreamError):
    status = 502


class LocalModelError(UpstreamError):
    status = 502


class NotRecorded(UpstreamError):
    status = 502
