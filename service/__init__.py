"""newsdesk runtime: everything a serving process or batch job imports. Nothing heavy at import."""

__all__ = ["__version__"]

__version__ = "0.1.0"
