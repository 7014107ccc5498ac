"""The newsdesk error tree; every error says what was wrong, the limit, and how to fix it.

    NewsdeskError
    ├── InvalidInput        bad text, options or records   → INVALID_ARGUMENT, exit 2
    ├── ModelNotLoaded      nothing to predict with        → FAILED_PRECONDITION, exit 1
    ├── ModelError          a model folder fails its checks → FAILED_PRECONDITION, exit 1
    ├── DataError           a training corpus is unusable  → exit 1
    ├── Refused             over a server capacity limit   → RESOURCE_EXHAUSTED
    └── RemoteError         a server's status no class above owns (UNAVAILABLE, …)

The mappings to gRPC status codes (both ways: service.rpc.status) and exit codes (cli) live
at the boundaries, one table each.
"""

from __future__ import annotations

__all__ = [
    "NewsdeskError",
    "InvalidInput",
    "ModelNotLoaded",
    "ModelError",
    "DataError",
    "Refused",
    "RemoteError",
]


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose."""

    def __init__(self, message: str, *, field: str = "", limit: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.limit = limit


class InvalidInput(NewsdeskError, ValueError):
    """The caller sent something we cannot process: empty or oversized text, a bad option."""


class ModelNotLoaded(NewsdeskError, RuntimeError):
    """No model is loaded yet (or the folder given holds none)."""


class ModelError(NewsdeskError):
    """A model folder is missing files, fails its sha256, or needs other library versions."""


class DataError(NewsdeskError):
    """A training or evaluation corpus is missing, malformed or too small to train on."""


class Refused(NewsdeskError):
    """Over a server capacity limit (calls at once, message size, bytes in flight): retry later."""

    def __init__(self, message: str, *, reason: str, limit: object = None) -> None:
        super().__init__(message, field="request", limit=limit)
        self.reason = reason  # "concurrency", "size" or "budget": the refusals metric's label


class RemoteError(NewsdeskError):
    """The server answered with a status our tree has no better class for (UNAVAILABLE, …)."""

    def __init__(self, message: str, *, code: object, field: str = "", limit: object = None):
        super().__init__(message, field=field, limit=limit)
        self.code = code  # the grpc.StatusCode (not imported here: this module stays light)
