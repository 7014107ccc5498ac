"""The wire conventions client and server share, beyond the proto itself: which Article
fields a span may slice, and the call metadata that carries ClassifyStream's options."""

from __future__ import annotations

__all__ = ["ARTICLE_FIELDS", "HEADLINE_PARTS", "STREAM_TERMS"]

# The text fields of an Article, in the order the proto has them; an evidence or keyword
# span says which one it slices. The headline parts beside the title are optional.
ARTICLE_FIELDS = ("title", "text", "kicker", "subtitle")
HEADLINE_PARTS = ("kicker", "subtitle")

# ClassifyStream takes a bare stream of Articles: its evidence and keyword counts come as call
# metadata (key, option); gRPC metadata keys are lower-case ASCII.
STREAM_TERMS = (
    ("newsdesk-explain", "explain"),
    ("newsdesk-keywords", "keywords"),
    ("newsdesk-explain-label", "explain_label"),
)
