from google.rpc import status_pb2 as _status_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Article(_message.Message):
    __slots__ = ("id", "title", "text", "kicker", "subtitle")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    KICKER_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    text: str
    kicker: str
    subtitle: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., text: _Optional[str] = ..., kicker: _Optional[str] = ..., subtitle: _Optional[str] = ...) -> None: ...

class LabelScore(_message.Message):
    __slots__ = ("label", "score")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    label: str
    score: float
    def __init__(self, label: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class Classification(_message.Message):
    __slots__ = ("id", "label", "scores", "error", "review", "evidence", "keywords", "review_reasons")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    REVIEW_REASONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    scores: _containers.RepeatedCompositeFieldContainer[LabelScore]
    error: _status_pb2.Status
    review: bool
    evidence: _containers.RepeatedCompositeFieldContainer[Evidence]
    keywords: _containers.RepeatedCompositeFieldContainer[Keyword]
    review_reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., scores: _Optional[_Iterable[_Union[LabelScore, _Mapping]]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., review: _Optional[bool] = ..., evidence: _Optional[_Iterable[_Union[Evidence, _Mapping]]] = ..., keywords: _Optional[_Iterable[_Union[Keyword, _Mapping]]] = ..., review_reasons: _Optional[_Iterable[str]] = ...) -> None: ...

class Evidence(_message.Message):
    __slots__ = ("term", "weight", "field", "spans", "label")
    TERM_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    SPANS_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    term: str
    weight: float
    field: str
    spans: _containers.RepeatedCompositeFieldContainer[Span]
    label: str
    def __init__(self, term: _Optional[str] = ..., weight: _Optional[float] = ..., field: _Optional[str] = ..., spans: _Optional[_Iterable[_Union[Span, _Mapping]]] = ..., label: _Optional[str] = ...) -> None: ...

class Keyword(_message.Message):
    __slots__ = ("term", "weight", "field", "spans")
    TERM_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    SPANS_FIELD_NUMBER: _ClassVar[int]
    term: str
    weight: float
    field: str
    spans: _containers.RepeatedCompositeFieldContainer[Span]
    def __init__(self, term: _Optional[str] = ..., weight: _Optional[float] = ..., field: _Optional[str] = ..., spans: _Optional[_Iterable[_Union[Span, _Mapping]]] = ...) -> None: ...

class Span(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class Summary(_message.Message):
    __slots__ = ("id", "lead", "spans", "error", "warnings")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_FIELD_NUMBER: _ClassVar[int]
    SPANS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    id: str
    lead: str
    spans: _containers.RepeatedCompositeFieldContainer[Span]
    error: _status_pb2.Status
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., lead: _Optional[str] = ..., spans: _Optional[_Iterable[_Union[Span, _Mapping]]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class SummaryOptions(_message.Message):
    __slots__ = ("max_sentences", "max_chars")
    MAX_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    MAX_CHARS_FIELD_NUMBER: _ClassVar[int]
    max_sentences: int
    max_chars: int
    def __init__(self, max_sentences: _Optional[int] = ..., max_chars: _Optional[int] = ...) -> None: ...

class ClassifyRequest(_message.Message):
    __slots__ = ("articles", "explain", "keywords", "explain_label")
    ARTICLES_FIELD_NUMBER: _ClassVar[int]
    EXPLAIN_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    EXPLAIN_LABEL_FIELD_NUMBER: _ClassVar[int]
    articles: _containers.RepeatedCompositeFieldContainer[Article]
    explain: int
    keywords: int
    explain_label: str
    def __init__(self, articles: _Optional[_Iterable[_Union[Article, _Mapping]]] = ..., explain: _Optional[int] = ..., keywords: _Optional[int] = ..., explain_label: _Optional[str] = ...) -> None: ...

class ClassifyResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[Classification]
    def __init__(self, results: _Optional[_Iterable[_Union[Classification, _Mapping]]] = ...) -> None: ...

class SummariseRequest(_message.Message):
    __slots__ = ("articles", "options")
    ARTICLES_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    articles: _containers.RepeatedCompositeFieldContainer[Article]
    options: SummaryOptions
    def __init__(self, articles: _Optional[_Iterable[_Union[Article, _Mapping]]] = ..., options: _Optional[_Union[SummaryOptions, _Mapping]] = ...) -> None: ...

class SummariseResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[Summary]
    def __init__(self, results: _Optional[_Iterable[_Union[Summary, _Mapping]]] = ...) -> None: ...

class AnalysePageRequest(_message.Message):
    __slots__ = ("text", "options", "explain", "keywords", "explain_label")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    EXPLAIN_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    EXPLAIN_LABEL_FIELD_NUMBER: _ClassVar[int]
    text: str
    options: SummaryOptions
    explain: int
    keywords: int
    explain_label: str
    def __init__(self, text: _Optional[str] = ..., options: _Optional[_Union[SummaryOptions, _Mapping]] = ..., explain: _Optional[int] = ..., keywords: _Optional[int] = ..., explain_label: _Optional[str] = ...) -> None: ...

class PageArticle(_message.Message):
    __slots__ = ("title", "kicker", "byline", "text", "span", "classification", "summary", "dateline", "continues", "warnings", "subtitle")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    KICKER_FIELD_NUMBER: _ClassVar[int]
    BYLINE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DATELINE_FIELD_NUMBER: _ClassVar[int]
    CONTINUES_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    title: str
    kicker: str
    byline: str
    text: str
    span: Span
    classification: Classification
    summary: Summary
    dateline: str
    continues: str
    warnings: _containers.RepeatedScalarFieldContainer[str]
    subtitle: str
    def __init__(self, title: _Optional[str] = ..., kicker: _Optional[str] = ..., byline: _Optional[str] = ..., text: _Optional[str] = ..., span: _Optional[_Union[Span, _Mapping]] = ..., classification: _Optional[_Union[Classification, _Mapping]] = ..., summary: _Optional[_Union[Summary, _Mapping]] = ..., dateline: _Optional[str] = ..., continues: _Optional[str] = ..., warnings: _Optional[_Iterable[str]] = ..., subtitle: _Optional[str] = ...) -> None: ...

class AnalysePageResponse(_message.Message):
    __slots__ = ("articles", "furniture", "warnings")
    ARTICLES_FIELD_NUMBER: _ClassVar[int]
    FURNITURE_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    articles: _containers.RepeatedCompositeFieldContainer[PageArticle]
    furniture: _containers.RepeatedCompositeFieldContainer[Span]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, articles: _Optional[_Iterable[_Union[PageArticle, _Mapping]]] = ..., furniture: _Optional[_Iterable[_Union[Span, _Mapping]]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class GetModelRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Metric(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: float
    def __init__(self, name: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("name", "version", "labels", "sha256", "trained_at", "data_sha256", "metrics", "loaded_at", "path")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    TRAINED_AT_FIELD_NUMBER: _ClassVar[int]
    DATA_SHA256_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    LOADED_AT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: str
    labels: _containers.RepeatedScalarFieldContainer[str]
    sha256: str
    trained_at: str
    data_sha256: str
    metrics: _containers.RepeatedCompositeFieldContainer[Metric]
    loaded_at: str
    path: str
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., labels: _Optional[_Iterable[str]] = ..., sha256: _Optional[str] = ..., trained_at: _Optional[str] = ..., data_sha256: _Optional[str] = ..., metrics: _Optional[_Iterable[_Union[Metric, _Mapping]]] = ..., loaded_at: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...
