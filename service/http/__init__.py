"""HTTP/JSON beside gRPC, the newsroom page and the probes (issue 16; docs/http.md).

Everything taken from the gRPC server comes through `service.http.bridge`; the flags are rows
of the server's one flag table (`service.rpc.config.FLAGS`).
"""
