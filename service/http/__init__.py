"""HTTP/JSON beside gRPC, the newsroom page and the probes (issue 16; docs/http.md).

Everything taken from the gRPC server comes through `service.http.bridge`.
"""

from .flags import FLAGS, add_http_arguments, http_config

__all__ = ["FLAGS", "add_http_arguments", "http_config"]
