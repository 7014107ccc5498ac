"""The newsdesk error tree; every error says what was wrong, the limit, and how to fix it.

    NewsdeskError
    ├── InvalidInput        bad text, options or records   → INVALID_ARGUMENT, exit 2
    │   └── NotJsonLines    an input whose first lines are no JSON (a CSV) → exit 2; a shard's, 1
    ├── ModelNotLoaded      nothing to predict with        → FAILED_PRECONDITION, exit 1
    │   └── ModelLoading    the first load is still running → UNAVAILABLE (retry)
    ├── ModelError          a model folder fails its checks → FAILED_PRECONDITION, exit 1
    ├── DataError           a training corpus is unusable  → exit 1
    ├── ExportError         a fitted pipeline the compiled model cannot reproduce → exit 1
    ├── ShardError          a batch shard's input or output is out of a worker's reach → exit 1
    ├── WorkerLost          a worker process died mid-run (killed, out of memory) → exit 1
    ├── ClusterUnavailable  no Dask scheduler answers      → exit 1
    ├── RemoteError         a server's status with no better class here (UNAVAILABLE, …) → exit 1
    ├── ClientClosed        a NewsdeskClient called after close() (also a ValueError)
    └── Refused             over a server capacity limit   → RESOURCE_EXHAUSTED

The mappings to gRPC status codes (both ways: service.rpc.status) and exit codes (cli) live
at the boundaries, one table each.
"""

from __future__ import annotations

__all__ = [
    "NewsdeskError",
    "InvalidInput",
    "NotJsonLines",
    "ModelNotLoaded",
    "ModelLoading",
    "ModelError",
    "DataError",
    "ExportError",
    "ShardError",
    "WorkerLost",
    "ClusterUnavailable",
    "RemoteError",
    "ClientClosed",
    "Refused",
    "CallerGone",
    "CallFailed",
    "HttpReply",
]


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose."""

    # The server's id of the call that failed (gRPC trailing metadata `x-request-id`), set on
    # errors a client read from a server: its log lines for the call carry the same id.
    request_id: str = ""

    def __init__(self, message: str, *, field: str = "", limit: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.limit = limit


class InvalidInput(NewsdeskError, ValueError):
    """The caller sent something we cannot process: empty or oversized text, a bad option."""


class NotJsonLines(InvalidInput):
    """An input none of whose first lines is JSON: a file of another kind, refused whole (in a
    batch, its shard fails alone). `note` says why without naming the input."""

    def __init__(self, source: str, note: str) -> None:
        super().__init__(f"input {source} {note}", field="input")
        self.source, self.note = source, note

    def __reduce__(self):  # (raised in a worker process: rebuilt in the parent from both)
        return type(self), (self.source, self.note)


class ModelNotLoaded(NewsdeskError, RuntimeError):
    """No model is loaded yet (or the folder given holds none)."""


class ModelLoading(ModelNotLoaded):
    """The server listens while its first model loads; a call now should retry, not give up."""


class ModelError(NewsdeskError):
    """A model folder is missing files, fails its sha256, or needs other library versions."""


class DataError(NewsdeskError):
    """A training or evaluation corpus is missing, malformed or too small to train on."""


class ExportError(NewsdeskError, ValueError):
    """The fitted pipeline has a step or setting the compiled model does not reproduce."""


class ShardError(NewsdeskError):
    """A batch shard cannot be done where it runs: its input or output is not on a shared path."""


class WorkerLost(NewsdeskError):
    """A worker process died (killed, out of memory) before its work was done; run again."""


class ClusterUnavailable(NewsdeskError):
    """No Dask scheduler answers at the address given, within the connect timeout."""


class RemoteError(NewsdeskError):
    """A server answered with a status our tree has no better class for (UNAVAILABLE, …)."""

    def __init__(self, message: str, *, code: object, field: str = "", limit: object = None):
        super().__init__(message, field=field, limit=limit)
        self.code = code  # the grpc.StatusCode (grpc is not imported here: the CLI stays light)


class ClientClosed(NewsdeskError, ValueError):
    """A NewsdeskClient was called after close() (or its `with` block): make a new client.
    A ValueError too, as gRPC's own "closed channel" error was."""


class Refused(NewsdeskError):
    """Over a server capacity limit (calls at once, message size, bytes in flight): retry later."""

    def __init__(self, message: str, *, reason: str, limit: object = None) -> None:
        super().__init__(message, field="request", limit=limit)
        self.reason = reason  # "concurrency", "size" or "budget": the refusals metric's label


# Not errors of ours but a transport's control flow (service.rpc.boundary): outside the tree
# above, so a handler's `except NewsdeskError` never swallows them.
class CallerGone(Exception):
    """The caller cancelled or its deadline passed: stop working for it."""


class CallFailed(Exception):
    """A call that ended in a status other than OK: its grpc.StatusCode and google.rpc.Status to
    send (typed loosely: this module imports no grpc)."""

    def __init__(self, code: object, status: object) -> None:
        super().__init__(status.message)
        self.code = code
        self.status = status
        self.message = status.message


class HttpReply(Exception):
    """A finished HTTP answer raised from deep in a request (service.http): status, body, the
    gRPC code it stands for, headers; `gone`: the client hung up, so nothing is written."""

    def __init__(
        self, status: int, body: bytes, code: object, *, gone: bool = False, **headers: str
    ) -> None:
        super().__init__(status)
        self.status, self.body, self.code, self.headers = status, body, code, headers
        self.gone = gone
