"""What the gRPC tests share: a small real model trained once a session, server configs, waits.

A helper module, not a test module, so test_server, test_client and test_cli import it
without importing each other.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.rpc import ServerConfig

__all__ = [
    "serving_http",
    "LEAD_AND_NO_LEAD",
    "LIMIT",
    "MAX_ARTICLES",
    "MAX_CHARS",
    "MAX_MESSAGE",
    "config",
    "copy_model",
    "free_port",
    "gold_articles",
    "NO_LEAD_WARNING",
    "trained_model",
    "wait_until",
]

# Records per label for the small real models the tests train: seconds, not minutes.
LIMIT = 150
MAX_CHARS = 20_000
MAX_ARTICLES = 64
MAX_MESSAGE = 1024 * 1024

_TRAINED: dict[str, Path] = {}

# With max_chars 10 the first article's opening sentence (9 characters) is its lead; the
# second's (21) fits nowhere, so its lead is empty and a warning says why.
LEAD_AND_NO_LEAD = [
    {"id": "short", "title": "全市教育会议召开",
     "text": "全市教育会议召开。会议部署了明年的重点任务，各区县负责人参加了会议并作了发言。"},
    {"id": "long", "title": "全市教育工作会议召开",
     "text": "本报讯 12月17日，全市教育工作会议召开。会议部署了明年的重点任务。各区县负责人参加。"},
]  # fmt: skip
NO_LEAD_WARNING = "no lead: no whole sentence near the top fits in 10 characters"


def trained_model(data_dir: Path) -> Path:
    """A small real model from training.train, trained once per session and shared."""
    key = str(data_dir)
    if key not in _TRAINED:
        from training.train import train

        root = Path(tempfile.mkdtemp(prefix="newsdesk-model-"))
        atexit.register(shutil.rmtree, root, True)
        train(data_dir, root / "desk", limit=LIMIT, progress=False)
        _TRAINED[key] = root / "desk"
    return _TRAINED[key]


def copy_model(data_dir: Path, dest: Path) -> Path:
    """A private copy of the trained model, for tests that reload, corrupt or move it."""
    shutil.copytree(trained_model(data_dir), dest)
    return dest


def gold_articles(data_dir: Path, n: int) -> list[dict]:
    """The first `n` hand-labelled articles: real newsroom text of every desk."""
    with (data_dir / "classify" / "dev_gold.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for _, line in zip(range(n), f, strict=False)]
    return [{"id": r["id"], "title": r["title"], "text": r["text"]} for r in rows]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(model: Path, **overrides) -> ServerConfig:
    base = dict(
        address="127.0.0.1:0",
        model=model,
        workers=8,
        max_chars=MAX_CHARS,
        max_page_chars=60_000,
        max_articles=MAX_ARTICLES,
        max_message_bytes=MAX_MESSAGE,
        poll_seconds=0.2,
        grace=2.0,
    )
    return ServerConfig(**{**base, **overrides})


@contextmanager
def serving_http(model: Path, **overrides) -> Iterator:
    """A real server on loopback with HTTP/JSON on a port of its own (`.http_port`), stopped
    after: what the HTTP and browser tests run against."""
    from service.rpc import create_server

    srv, _ = create_server(config(model, http_address="127.0.0.1:0", **overrides))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop(0).wait()


def wait_until(predicate, timeout: float = 20.0, every: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, signed by itself, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "server.crt", tmp_path / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
