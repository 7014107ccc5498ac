"""The server's configuration: `ServerConfig`, and one table of its flags with their
NEWSDESK_* environment twins, defaults and help, from which `newsdesk serve` and
`python -m service.rpc` build their parsers."""

from __future__ import annotations

import argparse
import math
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInput
from ..validation import MAX_ARTICLE_CHARS, MAX_PAGE_CHARS

__all__ = [
    "ServerConfig",
    "Flag",
    "FLAGS",
    "add_serve_arguments",
    "config_from_args",
    "check",
    "token_in_clear",
]


@dataclass(frozen=True)
class ServerConfig:
    """Everything a server needs to start; built from flags and env by `config_from_args`."""

    address: str = "127.0.0.1:50051"
    workers: int = 8  # threads for unary calls (the CPU work)
    max_streams: int = 64  # threads for streams: each open stream holds one, idle or not
    max_concurrent_rpcs: int = 0  # past this many calls at once, RESOURCE_EXHAUSTED; 0 = queue
    max_inflight_bytes: int = 64 * 1024 * 1024  # request bytes being worked on; 0 = no budget
    model: Path | None = None  # None: service.classifier.DEFAULT_MODEL
    max_chars: int = MAX_ARTICLE_CHARS  # per article text (code points)
    max_page_chars: int = MAX_PAGE_CHARS  # per AnalysePage text
    max_articles: int = 256  # per Classify/Summarise request
    max_message_bytes: int = 32 * 1024 * 1024  # transport limit, each direction
    tls_cert: Path | None = None
    tls_key: Path | None = None
    token: str | None = None
    metrics_port: int = 0  # 0 = no metrics endpoint
    log_format: str = "plain"  # or "json"
    grace: float = 10.0  # seconds in-flight calls get on shutdown
    poll_seconds: float = 2.0  # how often to look for a changed manifest; 0 = only on SIGHUP
    http_address: str | None = None  # HTTP/JSON, the newsroom page and probes; None = off
    metrics_host: str = "127.0.0.1"  # the metrics port binds loopback unless told otherwise
    model_path_in_info: bool = False  # GetModel tells callers the model's folder only if set


def token_in_clear(config: ServerConfig) -> bool:
    """A bearer token that would cross a network unencrypted: no TLS, and a gRPC or HTTP
    address that is not loopback (a token on loopback never leaves the machine)."""
    if not config.token or config.tls_cert:
        return False
    hosts = [a.rsplit(":", 1)[0].strip("[]") for a in (config.address, config.http_address) if a]
    return not all(h == "localhost" or h == "::1" or h.startswith("127.") for h in hosts)


_YES, _NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def switch(value: str) -> bool:
    """A yes/no flag or env value: 1, true, yes, on (any case) mean yes; 0, false, no, off or
    empty mean no; anything else is refused (a typo must not quietly mean no)."""
    word = str(value).strip().lower()
    if word not in _YES + _NO:
        raise argparse.ArgumentTypeError(f"expected 1/true/yes/on or 0/false/no/off, got {value!r}")
    return word in _YES


@dataclass(frozen=True)
class Flag:
    """One serve flag: `--flag`, its env twin NEWSDESK_<FLAG>, the ServerConfig field it sets."""

    flag: str
    help: str
    type: type = str
    field: str = ""  # the ServerConfig field; "" = the flag's name with underscores
    choices: tuple[str, ...] | None = None
    secret: bool = False  # never shown in --help, not even its default
    shown: str = ""  # what --help shows as the default when its env twin is unset

    @property
    def dest(self) -> str:
        return self.flag.replace("-", "_")

    @property
    def env(self) -> str:
        return "NEWSDESK_" + self.dest.upper()

    @property
    def config_field(self) -> str:
        return self.field or self.dest


# The one table of serve flags; defaults come from ServerConfig.
FLAGS: tuple[Flag, ...] = (
    Flag("address", "host:port to listen on; port 0 picks one"),
    Flag("workers", "threads for unary calls, the CPU work", int),
    Flag("max-streams", "threads for streams (ClassifyStream, health watches): each open stream "
         "holds one, idle or not, and never a unary call's or a health check's", int),
    Flag("max-inflight-bytes", "request bytes being worked on at once, over all calls; past it, "
         "new requests and stream items get RESOURCE_EXHAUSTED; 0 = no budget", int),
    Flag("max-concurrent-rpcs", "calls in progress at once before new ones get "
         "RESOURCE_EXHAUSTED; 0 = no limit, they wait for a worker", int),
    Flag("model", "model folder (model.npz + manifest.json)", Path,
         shown="the shipped model, models/desk of the newsdesk source tree"),
    Flag("max-chars", "longest article text accepted, in characters", int),
    Flag("max-page-chars", "longest AnalysePage text accepted", int),
    Flag("max-articles", "most articles in one Classify/Summarise request", int),
    Flag("max-message-bytes", "transport limit per message; larger ones get RESOURCE_EXHAUSTED",
         int),
    Flag("tls-cert", "PEM certificate chain; with --tls-key serves TLS", Path),
    Flag("tls-key", "PEM private key", Path),
    Flag("token", "require 'authorization: Bearer <token>' on every call but health; prefer the "
         "env twin NEWSDESK_TOKEN, which other users cannot read from the process list",
         secret=True),
    Flag("metrics-port", "serve Prometheus metrics on this port, 0 = off", int),
    Flag("log-format", "one line per event, plain or JSON", choices=("plain", "json")),
    Flag("grace", "seconds in-flight calls get to finish on SIGTERM", float),
    Flag("poll", "seconds between checks of the model's manifest; 0 = reload on SIGHUP only",
         float, field="poll_seconds"),
    Flag("http-address", "also serve HTTP/JSON, the newsroom page and probes on this host:port "
         "(port 0 picks one); off unless set — see docs/http.md"),
    Flag("metrics-host", "interface the --metrics-port listens on; loopback unless told otherwise"),
    Flag("model-path-in-info", "let GetModel (and GET /v1/model) tell callers the model's folder "
         "on this machine (1/true/yes/on; 0/false/no/off)", switch),
)  # fmt: skip


def add_serve_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the serve flags from FLAGS; each defaults to its NEWSDESK_* environment twin, and
    its help shows that default (any formatter: the help strings carry it)."""
    defaults = ServerConfig()
    for row in FLAGS:
        # An env twin set empty (a unit file's `NEWSDESK_MODEL=`) is unset: it read as the
        # working folder for --model and as every interface for --metrics-host.
        env = os.environ.get(row.env) or None
        default = getattr(defaults, row.config_field)
        kwargs: dict = {"type": row.type, "choices": row.choices, "dest": row.dest}
        if row.type is switch:  # `--flag` alone says yes; `--flag no` (or its env twin) says no
            kwargs.update(nargs="?", const="1")
        if env is not None:
            kwargs["default"] = env  # a string: argparse converts it with `type`, as a flag
            kwargs["type"] = _from_env(row, env)
        elif row.shown:
            kwargs["default"] = argparse.SUPPRESS  # config_from_args fills in the real one
        else:
            kwargs["default"] = None if default is None else str(default)
        if row.secret:
            text = f"{row.help}"
        elif env is None and row.shown:
            text = f"{row.help} (env {row.env}) (default: {row.shown})"
        elif env is None and default is None:  # unset means off: say so, not "None"
            text = f"{row.help} (env {row.env}) (default: none)"
        else:
            text = f"{row.help} (env {row.env}) (default: %(default)s)"
        parser.add_argument(f"--{row.flag}", help=text, **kwargs)
    return parser


def _from_env(row: Flag, env: str):
    """`row.type`, refusing the env twin's own value in its name: a bad NEWSDESK_WORKERS in a
    unit file must not read as a bad --workers nobody typed."""

    def typed(value: str):
        try:
            return row.type(value)
        except (TypeError, ValueError, argparse.ArgumentTypeError) as exc:
            if value is not env:  # (the flag given on the line: argparse's own message)
                raise
            why = "expected a whole number" if row.type is int else str(exc)
            raise argparse.ArgumentTypeError(
                f"{row.env}={env!r} (the env twin of --{row.flag}): {why}"
            ) from None

    typed.__name__ = getattr(row.type, "__name__", "value")  # (argparse names it in errors)
    return typed


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    """Build (and validate) a ServerConfig from parsed serve flags."""
    from ..classifier import DEFAULT_MODEL

    values = {row.config_field: getattr(args, row.dest, None) for row in FLAGS}
    for name in ("tls_cert", "tls_key", "token", "http_address"):  # an empty env twin: none
        values[name] = values[name] or None
    values["model"] = Path(values["model"] or DEFAULT_MODEL)
    config = ServerConfig(**values)
    check(config)
    return config


def check(config: ServerConfig) -> None:
    """Validate a config once, at entry, with messages that say which flag to fix."""
    if bool(config.tls_cert) != bool(config.tls_key):
        raise InvalidInput("give both --tls-cert and --tls-key, or neither", field="tls_key")
    for name in ("tls_cert", "tls_key"):
        path = getattr(config, name)
        if path and not Path(path).is_file():
            flag = f"--{name.replace('_', '-')} {path}"
            if Path(path).is_dir():  # "no such file" sent the operator looking for a typo
                raise InvalidInput(f"{flag}: is a folder; give the PEM file in it", field=name)
            what = "not a regular file" if Path(path).exists() else "no such file"
            raise InvalidInput(f"{flag}: {what}", field=name)
    token = config.token
    if token and not (token.isascii() and token.isprintable() and token.strip() == token):
        # No client could send it (gRPC refuses such metadata; HTTP drops the edge spaces):
        # every call was refused, the server healthy. A token file's newline, most often.
        raise InvalidInput(
            f"{_named('token')} holds a character a bearer header cannot carry (a newline, a "
            "tab, an edge space, a non-ASCII letter): no client could send it",
            field="token",
        )
    positive = {
        "workers": config.workers,
        "max_streams": config.max_streams,
        "max_chars": config.max_chars,
        "max_page_chars": config.max_page_chars,
        "max_articles": config.max_articles,
        "max_message_bytes": config.max_message_bytes,
    }
    for name, value in positive.items():
        if value < 1:
            raise InvalidInput(
                f"{_named(name)} must be at least 1, got {value}", field=name, limit=1
            )
    for name, what in (("max_inflight_bytes", "no budget"), ("max_concurrent_rpcs", "no limit")):
        if getattr(config, name) < 0:
            raise InvalidInput(
                f"{_named(name)} must be 0 ({what}) or more, got {getattr(config, name)}",
                field=name,
                limit=0,
            )
    if config.log_format not in ("plain", "json"):
        raise InvalidInput(
            f"log format {config.log_format!r}: use 'plain' or 'json'", field="log_format"
        )
    for name in ("grace", "poll_seconds"):  # (NaN compares false: isfinite)
        value = getattr(config, name)
        if not (math.isfinite(value) and value >= 0):
            raise InvalidInput(
                f"{_named(name)} must be a finite number of seconds >= 0, got {value}", field=name
            )
    # (--http-address said "invalid literal for int() with base 10: '…'", the flag not named;
    # gRPC took an --address of 127.0.0.1 as port 443 and 127.0.0.1:99999 as 34463, silently)
    for name, example in (("address", "127.0.0.1:50051"), ("http_address", "127.0.0.1:8080")):
        value = getattr(config, name)
        schemes = GRPC_SCHEMES if name == "address" else ()
        if value and not _port_given(value) and not value.startswith(schemes):
            raise InvalidInput(
                f"{_named(name)} is {value!r}: give HOST:PORT, the port 0..65535 (0 picks a "
                f"free one), e.g. {example}",
                field=name,
            )
    if not 0 <= config.metrics_port < 65536:
        raise InvalidInput(
            f"{_named('metrics_port')} must be a port, 0..65535 (0 = off), got "
            f"{config.metrics_port}",
            field="metrics_port",
        )


# gRPC's own address forms (unix:/path and kin), which --address passes to gRPC as they are.
GRPC_SCHEMES = ("unix:", "unix-abstract:", "vsock:", "dns:", "ipv4:", "ipv6:")


def _port_given(address: str) -> bool:
    """HOST:PORT ends on a port 0..65535 in ASCII digits (an IPv6 host in brackets)."""
    _, colon, port = address.rpartition(":")
    return bool(colon and port.isascii() and port.isdigit() and int(port) < 65536)


def _named(field: str) -> str:
    """The flag and env twin that set a ServerConfig field, as an error names them: the value
    may have come from either (a unit file's NEWSDESK_WORKERS=0 is no --workers anybody typed)."""
    row = next(r for r in FLAGS if r.config_field == field)
    return f"--{row.flag} (env {row.env})"
