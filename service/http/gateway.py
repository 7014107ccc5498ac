"""gRPC codes → HTTP statuses, google.rpc.Status bodies, and proto JSON in and out.

The table is grpc-gateway's (`runtime.HTTPStatusFromCode` in grpc-ecosystem/grpc-gateway v2,
runtime/errors.go), so a client that knows one gateway knows us; docs/http.md prints it.
"""

from __future__ import annotations

import json
import re

import grpc
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor as _F
from google.protobuf.message import Message
from google.rpc import status_pb2

from ..errors import InvalidInput, NewsdeskError, Refused
from ..jsonl import TOO_DEEP, decode_json_unique
from . import bridge

__all__ = ["HTTP_STATUS", "http_status", "status_body", "error_body", "parse", "render"]

# grpc-gateway v2's HTTPStatusFromCode, code for code.
HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,  # nginx's "client closed request"
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,  # deliberately not 412, as grpc-gateway says
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}


def http_status(error: NewsdeskError) -> tuple[int, grpc.StatusCode]:
    """The HTTP status and gRPC code of one of our errors; a body over the size limit is 413."""
    code = bridge.grpc_code(error)
    if isinstance(error, Refused) and error.reason == "size":
        return 413, code  # DECISIONS.md: RESOURCE_EXHAUSTED is 429, except a body too large
    return HTTP_STATUS.get(code, 500), code


def render(message: Message) -> bytes:
    """Proto canonical JSON with the proto field names (as the CLI writes), defaults included."""
    as_dict = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return json.dumps(_in_order(message.DESCRIPTOR, as_dict), ensure_ascii=False).encode("utf-8")


def _in_order(descriptor, value: dict) -> dict:
    """`value` (MessageToDict's, which lists the fields set before those left at their
    default) with its fields in the proto's order, nested messages too, as gRPC's and the
    CLI's readers see them. Keys the descriptor does not name (a well-known type's) follow."""
    if descriptor.full_name.startswith("google.protobuf."):
        return value  # (Any, Struct, Timestamp: their own JSON forms)
    out = {}
    for field in descriptor.fields:
        if field.name not in value:
            continue
        item, kind = value[field.name], field.message_type
        if kind is not None and kind.GetOptions().map_entry:
            inner = kind.fields_by_name["value"].message_type
            if inner is not None:
                item = {k: _in_order(inner, v) for k, v in item.items()}
        elif kind is not None:
            item = (
                [_in_order(kind, v) for v in item]
                if isinstance(item, list)
                else _in_order(kind, item)
            )
        out[field.name] = item
    out.update((k, v) for k, v in value.items() if k not in out)
    return out


def error_body(error: NewsdeskError) -> bytes:
    """The google.rpc.Status the gRPC server would send, as JSON."""
    return render(bridge.status_of(error))


def status_body(code: grpc.StatusCode, message: str) -> bytes:
    """A detail-less Status, for what never reaches our error tree (no route, no token)."""
    return render(status_pb2.Status(code=code.value[0], message=message))


def parse(body: bytes, message: Message) -> Message:
    """Fill `message` from a JSON body (proto or lowerCamel names); errors name the field."""
    if not body.strip():
        return message  # an empty body is the empty request (GetModel; defaults elsewhere)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(  # a GBK newsroom system's text is the likely cause: say the fix
            f"the body is not UTF-8: {exc}: send it as UTF-8 (a GBK or GB18030 text converted "
            "first, e.g. iconv -f GB18030 -t UTF-8)",
            field="body",
        ) from None
    try:
        # a byte-order mark opening it is dropped, as for a JSONL file or a page (RFC 8259 §8.1)
        value = decode_json_unique(text.removeprefix("\ufeff"))  # NaN/Infinity refused, as in JSONL
    except ValueError as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}", field="body") from None
    except RecursionError:  # the caller's input, not our bug (it was a 500)
        raise InvalidInput(f"the body is {TOO_DEEP}: requests are a few levels deep",
                           field="body") from None  # fmt: skip
    if not isinstance(value, dict):
        raise InvalidInput(
            f"the body must be a JSON object ({message.DESCRIPTOR.name}), "
            f"got {type(value).__name__}",
            field="body",
        )
    _objects(value, message.DESCRIPTOR)
    try:
        return json_format.ParseDict(value, message)
    except json_format.ParseError as exc:
        field = _indexed(value, message, _field(str(exc)))
        raise InvalidInput(_describe(str(exc)), field=field) from None


# The integer kinds json_format reads from a string by Python's int(), which takes more than
# the digits the OpenAPI document allows.
_INTEGERS = frozenset((_F.CPPTYPE_INT32, _F.CPPTYPE_INT64, _F.CPPTYPE_UINT32, _F.CPPTYPE_UINT64))


def _objects(value: dict, descriptor, where: str = "") -> None:
    """Refuse a message field (or list item) given as a string, number or list: json_format read
    `{"articles": ["abc"]}` as an Article with a field named "a" and said so."""
    given: dict[str, str] = {}
    for key, inner in value.items():
        fd = descriptor.fields_by_name.get(key) or descriptor.fields_by_camelcase_name.get(key)
        if fd is not None and given.setdefault(fd.name, key) != key:  # (json_format: last wins)
            raise InvalidInput(
                f"{where}{fd.name} is given twice, as {given[fd.name]!r} and {key!r}: send one",
                field=f"{where}{fd.name}",
            )
        if fd is not None and fd.type == fd.TYPE_STRING and isinstance(inner, int | float):
            # an id sent as 7 (the CLI and Python client take one): json_format said
            # "expected string or bytes-like object, got 'int'"
            raise InvalidInput(
                f"{where}{fd.name} must be a JSON string, got {json.dumps(inner)}: quote it "
                f"({json.dumps(json.dumps(inner))})",
                field=f"{where}{fd.name}",
            )
        if fd is not None and fd.cpp_type in _INTEGERS and isinstance(inner, str):
            if not inner.isascii() or not inner.isdigit():  # ("3_0", "３", " 3": Python's int)
                raise InvalidInput(
                    f"{where}{fd.name} must be a whole number, got {json.dumps(inner)[:40]}: "
                    'send digits (3 or "3")',
                    field=f"{where}{fd.name}",
                )
        kind = fd.message_type if fd is not None else None
        if kind is None or kind.GetOptions().map_entry or kind.full_name.startswith("google."):
            continue
        name = f"{where}{fd.name}"
        items = enumerate(inner) if fd.is_repeated and isinstance(inner, list) else ()
        if not fd.is_repeated and inner is not None:
            items = ((None, inner),)
        for i, item in items:
            place = name if i is None else f"{name}[{i}]"
            if not isinstance(item, dict):
                raise InvalidInput(
                    f"{place} must be a JSON object ({kind.name}), got {json.dumps(item)[:40]}",
                    field=place,
                )
            _objects(item, kind, f"{place}.")


def _indexed(value: dict, message: Message, path: str) -> str:
    """`articles.text` → `articles[3].text`: json_format names a bad list item's field but not
    which item; parsing the items one by one finds it (only on the error path)."""
    head, _, rest = path.partition(".")
    fd = message.DESCRIPTOR.fields_by_name.get(head)
    items = value.get(head, value.get(fd.json_name)) if fd is not None else None
    if fd is None or fd.message_type is None or not isinstance(items, list):
        return path
    cls = message_factory.GetMessageClass(fd.message_type)
    for i, item in enumerate(items):
        try:
            json_format.ParseDict(item, cls())
        except (json_format.ParseError, TypeError, AttributeError):
            return f"{head}[{i}].{rest}" if rest else f"{head}[{i}]"
    return path


_NO_FIELD = re.compile(r'no field named "([^"]+)" at "[^".]+\.?([^"]*)"')
_FAILED = re.compile(r"Failed to parse (\S+) field")


def _field(error: str) -> str:
    """The dotted path of the field a json_format error is about ("articles[0].txt")."""
    unknown = _NO_FIELD.search(error)
    if unknown:
        name, where = unknown.groups()
        return f"{where}.{name}" if where else name
    path = _FAILED.findall(error)
    return ".".join(path) if path else "body"


def _describe(error: str) -> str:
    first = error.split("\n", 1)[0].rstrip(".")
    return f"{first}; request bodies are the proto's JSON mapping (see /v1/openapi.json)"
