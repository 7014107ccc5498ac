"""Our errors ⇄ gRPC status, both ways: the one code table, its google.rpc details, and the
client's reading of them back into `service.errors` classes.

A server sends the status code of the most specific class in `STATUS_CODES`, plus a BadRequest
(the field) and an ErrorInfo (reason, field, limit); a client raises the class that owns the
code and reason it gets back, else `RemoteError` carrying the code.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from ..errors import (
    DataError,
    InvalidInput,
    ModelError,
    ModelLoading,
    ModelNotLoaded,
    NewsdeskError,
    Refused,
    RemoteError,
)

__all__ = [
    "ERROR_DOMAIN",
    "STATUS_CODES",
    "status_code",
    "error_status",
    "error_from_status",
    "error_from_rpc",
    "code_of",
    "REQUEST_ID",
]

ERROR_DOMAIN = "newsdesk.v1"

# The one table from our error tree to gRPC status codes; the most specific class wins.
STATUS_CODES: dict[type[NewsdeskError], grpc.StatusCode] = {
    Refused: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ModelLoading: grpc.StatusCode.UNAVAILABLE,
    InvalidInput: grpc.StatusCode.INVALID_ARGUMENT,
    ModelNotLoaded: grpc.StatusCode.FAILED_PRECONDITION,
    ModelError: grpc.StatusCode.FAILED_PRECONDITION,
    DataError: grpc.StatusCode.FAILED_PRECONDITION,
    NewsdeskError: grpc.StatusCode.INTERNAL,
}

# ErrorInfo reasons that name a class (the rest: OVER_LIMIT, INVALID_VALUE, INTERNAL).
_REASONS: dict[type[NewsdeskError], str] = {
    ModelLoading: "MODEL_LOADING",
    ModelNotLoaded: "MODEL_NOT_LOADED",
    ModelError: "MODEL_INVALID",
}
# The classes a client raises again from a status; any other code arrives as RemoteError.
# Order matters: for a code with several classes, a reason picks one, else the first.
_RAISED_AGAIN = (InvalidInput, ModelNotLoaded, ModelError)

_CODES_BY_NUMBER = {c.value[0]: c for c in grpc.StatusCode}


def status_code(error: NewsdeskError) -> grpc.StatusCode:
    """The gRPC code for one of our errors (the most specific class in STATUS_CODES)."""
    return next(c for k, c in STATUS_CODES.items() if isinstance(error, k))


def code_of(number: int) -> grpc.StatusCode:
    """The StatusCode for a google.rpc.Status code number (UNKNOWN for one gRPC lacks)."""
    return _CODES_BY_NUMBER.get(number, grpc.StatusCode.UNKNOWN)


def _reason(error: NewsdeskError) -> str:
    for kind, reason in _REASONS.items():
        if isinstance(error, kind):
            return reason
    if error.limit is not None:
        return "OVER_LIMIT"
    return "INVALID_VALUE" if isinstance(error, InvalidInput) else "INTERNAL"


def error_status(error: NewsdeskError) -> status_pb2.Status:
    """The google.rpc.Status for one of our errors, with BadRequest and ErrorInfo details."""
    reason = _reason(error)
    status = status_pb2.Status(code=status_code(error).value[0], message=error.message)
    metadata = {"field": error.field} if error.field else {}
    if error.limit is not None:
        metadata["limit"] = str(error.limit)
    info = error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=metadata)
    details: list[Any] = [info]
    if error.field:
        violation = error_details_pb2.BadRequest.FieldViolation(
            field=error.field, description=error.message, reason=reason
        )
        details.insert(0, error_details_pb2.BadRequest(field_violations=[violation]))
    for detail in details:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return status


def error_from_status(
    code: grpc.StatusCode, message: str, status: status_pb2.Status | None
) -> NewsdeskError:
    """Our exception for a status, with field and limit read from its details."""
    field_name, limit, reason = "", None, ""
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            if bad.field_violations:
                field_name = field_name or bad.field_violations[0].field
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
            field_name = field_name or info.metadata.get("field", "")
            raw = info.metadata.get("limit")
            limit = int(raw) if raw is not None and raw.isdigit() else raw
    owners = [k for k in _RAISED_AGAIN if STATUS_CODES[k] == code]
    if owners:
        kind = next((k for k in owners if _REASONS.get(k) == reason), owners[0])
        return kind(message, field=field_name, limit=limit)
    return RemoteError(message, code=code, field=field_name, limit=limit)


# A call's id in gRPC metadata, both ways: the caller's, or the server's own, sent back in the
# trailing metadata (service.rpc.boundary.request_id) and read by the client onto its errors.
REQUEST_ID = "x-request-id"


def error_from_rpc(exc: grpc.RpcError) -> NewsdeskError:
    """Our exception for a failed call (its status details read when it carries them)."""
    from grpc_status import rpc_status

    try:
        status = rpc_status.from_call(exc)
    except (AttributeError, ValueError):  # not a call, or details that disagree with the code
        status = None
    error = error_from_status(exc.code(), exc.details() or exc.code().name, status)
    try:
        trailing = exc.trailing_metadata() or ()
    except AttributeError:  # not a call
        trailing = ()
    error.request_id = next((str(v) for k, v in trailing if k == REQUEST_ID), "")
    return error
