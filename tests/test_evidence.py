"""Evidence and keywords: exact in logits, readable, and spans that slice the caller's text."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from service.classifier import Classifier
from service.evidence import attribute, evidence, locate, read, readable
from service.keywords import STOP_WORDS, keywords
from service.pages import single_article, split_page
from service.pipeline import (
    analyse_articles,
    analyse_page,
    labelled_lines,
    parse_record,
    process_records,
    record_lines,
    result_fields,
)
from service.termjson import terms_fields, terms_text
from tests.conftest import ROOT

MODEL = ROOT / "models" / "desk"

# Written for these tests: three desks, odd characters (İ lowers to two code points, a final Σ,
# whitespace runs the char block squeezes, a surrogate pair) and a cue in every second title.
TEXTS = {
    "leadership": [
        (
            "省委书记王强率队调研 座谈",
            "省委书记王强在贵阳调研并主持召开座谈会。  他强调，要抓好落实。",
        ),
        ("市长李明会见客人", "市长李明会见来访的企业代表，双方举行会谈。İ Σ 𠀀"),
        (
            "省委常委座谈会召开",
            "省委常委、市委书记张三主持座谈会，研究部署工作。\n\n会议强调落实。",
        ),
        ("领导调研产业园区", "市委书记调研产业园区，看望慰问一线职工。ΑΣ 大家辛苦了。"),
    ],
    "commentary": [
        ("一论高质量发展", "我们要坚定信心。评论员认为，发展是硬道理，我们必须坚持。"),
        ("二论改革创新", "改革只有进行时。我们看到，创新是第一动力，必须久久为功。"),
        ("三论民生福祉", "民生无小事。我们要把群众冷暖放在心上，  办好每一件实事。"),
        ("论学习贯彻全会精神", "学习贯彻全会精神，我们要知行合一，以实干诠释担当。"),
    ],
    "industry": [
        ("数据标注产业加速发展", "贵阳贵安数据标注企业增多，产业链不断延伸，算力需求增长。"),
        ("新能源汽车项目投产", "新能源汽车项目投产，企业产值增长，带动上下游产业发展。"),
        ("铝加工产业集群壮大", "铝精深加工产业集群壮大，企业技术改造加快，产值创新高。"),
        ("招商引资签约项目", "园区招商引资签约项目十个，总投资一百亿元，企业纷纷落户。"),
    ],
}


def _fit(labels: list[str]):
    from training.export import export
    from training.train import CONFIG, build_pipeline

    config = {
        **CONFIG,
        # A word block as well as the shipped blocks, so that both kinds are attributed.
        "words": {"min_df": 1, "sublinear_tf": True, "head_chars": 30},
        "chars": {**CONFIG["chars"], "min_df": 1, "head_chars": 20},
        "opening": {**CONFIG["opening"], "min_df": 1, "head_chars": 10},
    }
    items = [(t, b) for lab in labels for t, b in TEXTS[lab]]
    ys = [lab for lab in labels for _ in TEXTS[lab]]
    pipeline = build_pipeline(config, seed=13)
    pipeline.fit(items, ys)
    return export(pipeline), items


@pytest.fixture(scope="module")
def tiny():
    return _fit(list(TEXTS))


def _exact(model, articles, labels) -> None:
    readings = [read(model, a) for a in articles]
    decision = model.decision_function([(a.title, a.text) for a in articles])
    for y in labels:
        for i, part in enumerate(attribute(model, readings, [y] * len(articles))):
            want = decision[i, y] if decision.shape[1] > 1 else decision[i, 0] * (2 * y - 1)
            total = part.intercept + part.words.sum() + sum(c[3] for c in part.cues) + part.rest
            assert part.logit == pytest.approx(total, abs=1e-12)
            assert part.logit == pytest.approx(want, abs=1e-9), (i, y)


def test_contributions_sum_to_the_logit_on_fixtures(tiny):
    model, items = tiny
    articles = [single_article(t, b) for t, b in items]
    articles.append(single_article("", "只有正文  没有标题 İstanbul ΣΑΣ"))
    _exact(model, articles, range(len(model.classes_)))


def test_contributions_sum_to_the_logit_of_a_two_class_model():
    model, items = _fit(["commentary", "industry"])
    assert model.coef_.shape[0] == 1
    _exact(model, [single_article(t, b) for t, b in items], [0, 1])


@pytest.mark.corpus
def test_contributions_sum_to_the_logit_on_real_articles(data_dir):
    """The shipped model, 150 dev articles, every label (not only the predicted one)."""
    classifier = Classifier.load(MODEL)
    rows = []
    with (data_dir / "classify" / "dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
            if len(rows) >= 150:
                break
    articles = [single_article(r["title"], r["text"]) for r in rows]
    _exact(classifier.pipeline, articles, range(len(classifier.labels)))


def test_evidence_is_readable_and_slices_the_caller_text(tiny):
    model, items = tiny
    classifier = Classifier(model, {"labels": [str(c) for c in model.classes_]})
    titles = [f"  {t}" for t, _ in items]  # the caller's own title, spaces and all
    texts = [b for _, b in items]
    articles = [single_article(t, b) for t, b in zip(titles, texts, strict=True)]
    analyses = analyse_articles(
        articles, texts, classifier, summarise=False, explain=5, keywords=5, titles=titles
    )
    fields = 0
    for a, title, text in zip(analyses, titles, texts, strict=True):
        assert a.evidence and a.keywords
        for term in a.evidence + a.keywords:
            assert readable(term.text) and term.field in ("title", "text")
            source = title if term.field == "title" else text
            for span in term.spans:
                assert source[span.start : span.end] == span.text == term.text
        assert all(t.label == a.prediction.label for t in a.evidence)
        assert all(t.weight > 0 for t in a.evidence)
        fields += any(t.field == "title" for t in a.evidence)
    assert fields, "some evidence should come from the titles"


def test_evidence_for_another_label(tiny):
    model, items = tiny
    classifier = Classifier(model, {"labels": [str(c) for c in model.classes_]})
    # an article of two desks: whichever wins, the other has words that argue for it
    title = "市委书记调研数据标注产业园区"
    text = "市委书记调研数据标注企业，产业链不断延伸，算力需求增长。他强调，要抓好落实。"
    article = single_article(title, text)
    (plain,) = analyse_articles([article], [text], classifier, summarise=False)
    other = "industry" if plain.prediction.label != "industry" else "leadership"
    (a,) = analyse_articles(
        [article], [text], classifier, summarise=False, explain=3, explain_label=other
    )
    assert a.prediction.label == plain.prediction.label != other
    assert a.evidence and {t.label for t in a.evidence} == {other}
    assert all(t.weight > 0 for t in a.evidence)


def test_nothing_is_added_unless_asked(tiny):
    model, items = tiny
    classifier = Classifier(model, {"labels": [str(c) for c in model.classes_]})
    (a,) = analyse_articles([single_article(*items[0])], [items[0][1]], classifier)
    assert a.evidence is None and a.keywords is None
    assert "evidence" not in result_fields(a) and "keywords" not in result_fields(a)


def test_keywords_leave_out_stop_words_and_keep_dictionary_terms(tiny):
    model, _ = tiny
    text = "我们看到，贵阳贵安的数据标注产业在2025年快速发展。我们认为，数据标注前景广阔。"
    terms = keywords(read(model, single_article("", text), whole=True), model, 10)
    words = [t.text for t in terms]
    assert "贵阳贵安" in words and "数据标注" in words
    assert not set(words) & STOP_WORDS
    assert "2025" not in words and all(readable(w) for w in words)
    assert [t.weight for t in terms] == sorted((t.weight for t in terms), reverse=True)


def test_keywords_weigh_the_head_line_and_the_count_squared(tiny):
    """tf² × idf, a head line's word counted HEAD_COUNT times: once in the title and twice in
    the body counts 5 against a body word's 2, (5/2)² = 6.25 times the weight at equal idf;
    counts in words (十一次) are numbers."""
    from service.keywords import HEAD_COUNT, TF_POWER

    model, _ = tiny
    body = "贵阳贵安推进数据标注。贵阳贵安发展数据标注。十一次十一次十一次。"

    def weights(title: str) -> dict[str, float]:
        terms = keywords(read(model, single_article(title, body), whole=True), model, 10)
        return {t.text: t.weight for t in terms}

    plain, headed = weights(""), weights("贵阳贵安")
    assert "十一次" not in plain and {"贵阳贵安", "数据标注"} <= set(plain)
    lift = (headed["贵阳贵安"] / headed["数据标注"]) / (plain["贵阳贵安"] / plain["数据标注"])
    assert lift == pytest.approx(((2 + HEAD_COUNT) / 2) ** TF_POWER) and lift > 6


def test_keywords_leave_out_ordinals_titles_units_and_deixis(tiny):
    """What an editor never tags: an ordinal or count in words (第十七届, 三季度, 两年), a
    person's title without the name (主席), a unit cut off its number (70|周年, 5.8|亿元,
    6月15|日起, 18|号线), the paper's own city (我市)."""
    model, _ = tiny
    junk = ["第十七届", "三季度", "两年", "第二批", "主席", "周年", "亿元", "日起", "号线", "我市"]
    text = (
        "第十七届澳门妈祖文化旅游节开幕。妈祖文化旅游节前三季度收入5.8亿元，两年建成第二批项目。"
        "习近平主席致信祝贺成立70周年。我市地铁18号线从6月15日起试运营。妈祖文化源远流长。"
    )
    article = single_article("第十七届妈祖文化旅游节", text)
    terms = keywords(read(model, article, whole=True), model, 30)
    words = {t.text for t in terms}
    assert "妈祖" in words and "习近平" in words
    assert not words & set(junk), words & set(junk)


@pytest.mark.parametrize(
    ("title", "source", "start", "found"),
    [
        ("胡忠雄在北京 与中铝", "## 胡忠雄在北京 与中铝\n正文", 0, "胡忠雄在北京 与中铝"),
        ("标题 ——副题", "引题\n标题\n\n——副题\n正文", 3, "标题\n\n——副题"),
        ("标题", "标题 在前\n## 标题\n", 5, "标题"),
        ("不在页上", "别的内容", 0, None),
        # a title read without its zero-width marks (service.invisible), placed around them
        ("育秧进度 过半", "\ufeff育秧\u200b进度  过半\u2060", 0, "育秧\u200b进度  过半"),
        ("育秧", "育秧 在前\u200b\n## 育\u200b秧\n", 6, "育\u200b秧"),
    ],
)
def test_locate_titles_in_the_text_sent(title, source, start, found):
    index = locate(title, source, start)
    if found is None:
        assert (index < 0).all()
        return
    placed = index[index >= 0]
    assert source[placed[0] : placed[-1] + 1] == found and placed[0] >= start
    assert "".join(source[i] for i in placed) == title.replace(" ", "")


def test_evidence_k_limits_the_terms(tiny):
    model, items = tiny
    reading = read(model, single_article(*items[4]))
    label = list(model.classes_).index("commentary")
    (part,) = attribute(model, [reading], [label])
    assert len({t.text for t in evidence(reading, part, 2)}) <= 2
    assert evidence(reading, part, 0) == ()


@pytest.mark.corpus
def test_sample_page_evidence_and_keywords_slice_the_page(sample_page):
    classifier = Classifier.load(MODEL)
    analyses = analyse_page(sample_page, classifier, explain=5, keywords=5)
    assert len(analyses) == len(split_page(sample_page))
    for a in analyses:
        assert 1 <= len({t.text for t in a.evidence}) <= 5
        assert 1 <= len({t.text for t in a.keywords}) <= 5
        for term in a.evidence + a.keywords:
            assert term.spans, term
            for span in term.spans:
                assert a.article.start <= span.start < span.end <= a.article.end
                assert sample_page[span.start : span.end] == term.text
    commentary = next(a for a in analyses if a.prediction.label == "commentary")
    assert commentary.evidence[0].text == "九论" and commentary.evidence[0].field == "title"


@pytest.mark.corpus
def test_docs_example_is_what_analyse_json_prints(sample_page_path):
    """docs/evidence.md's `--json` example (lists and spans cut) is a prefix of what the shipped
    model prints for that article: weights to the digit, spans, fields. A retrain changes them."""
    doc = (ROOT / "docs" / "evidence.md").read_text(encoding="utf-8")
    shown = json.loads(doc.split("```json\n", 1)[1].split("```", 1)[0])
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "analyse", "--json", "--explain", "5"]
        + ["--keywords", "5", str(sample_page_path)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    printed = next(
        r for r in map(json.loads, run.stdout.splitlines()) if r["title"] == shown["title"]
    )
    assert (printed["start"], printed["end"], printed["label"]) == (
        shown["start"], shown["end"], shown["label"],
    )  # fmt: skip
    for key in ("evidence", "keywords"):
        for doc_term, term in zip(shown[key], printed[key], strict=False):
            assert term["spans"][: len(doc_term["spans"])] == doc_term["spans"], term
            assert {**term, "spans": doc_term["spans"]} == doc_term
        assert len(printed[key]) >= len(shown[key])


def test_explaining_changes_no_score(tiny):
    """With evidence asked for, labels and scores come from the same rows: bit for bit."""
    model, items = tiny
    classifier = Classifier(model, {"labels": [str(c) for c in model.classes_]})
    articles = [single_article(t, b) for t, b in items]
    texts = [b for _, b in items]
    plain = analyse_articles(articles, texts, classifier, summarise=False)
    explained = analyse_articles(articles, texts, classifier, summarise=False, keywords=3)
    assert [a.prediction for a in explained] == [a.prediction for a in plain]


def test_exact_when_the_word_block_segments_on_its_own(tiny):
    """A reading that does not share the word block's tokens: the block tokenizes again."""
    from dataclasses import replace

    model, items = tiny
    articles = [single_article(t, b) for t, b in items]
    readings = [replace(read(model, a), shared=-1) for a in articles]
    decision = model.decision_function([(a.title, a.text) for a in articles])
    for y in range(len(model.classes_)):
        for i, part in enumerate(attribute(model, readings, [y] * len(items))):
            assert part.logit == pytest.approx(decision[i, y], abs=1e-9)


def _same_terms(got, want) -> None:
    assert [(t.text, t.field, t.spans, t.label) for t in got] == [
        (t.text, t.field, t.spans, t.label) for t in want
    ]
    assert [t.weight for t in got] == pytest.approx([t.weight for t in want], rel=1e-12)


def _batch_equals_one_by_one(model, articles) -> None:
    """Terms chosen for a whole batch (what the pipeline does) equal those chosen per article."""
    from service.evidence import evidence_all
    from service.keywords import keywords_all

    readings = [read(model, a, whole=True) for a in articles]
    labels = [i % len(model.classes_) for i in range(len(readings))]
    parts = attribute(model, readings, labels)
    found = evidence_all(readings, parts, 4)
    for got, r, p in zip(found, readings, parts, strict=True):
        _same_terms(got, evidence(r, p, 4))
    words = keywords_all(readings, model, 4)
    for got, r in zip(words, readings, strict=True):
        _same_terms(got, keywords(r, model, 4))
    # Written as JSON straight from the batch (the CLI's way): the text of the Terms' fields.
    rendered = evidence_all(readings, parts, 4, render=True)
    assert rendered == [json.dumps(terms_fields(t), ensure_ascii=False) for t in found]
    assert rendered == [terms_text(t) for t in found]
    rendered = keywords_all(readings, model, 4, render=True)
    assert rendered == [json.dumps(terms_fields(t), ensure_ascii=False) for t in words]


def test_terms_chosen_for_a_batch_equal_one_by_one(tiny):
    model, items = tiny
    articles = [single_article(t, b) for t, b in items]
    articles.append(single_article("", "只有正文  没有标题 İstanbul ΣΑΣ"))
    _batch_equals_one_by_one(model, articles)


@pytest.mark.corpus
def test_terms_chosen_for_a_batch_equal_one_by_one_on_real_articles(data_dir):
    rows = []
    with (data_dir / "classify" / "dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
            if len(rows) >= 150:
                break
    articles = [single_article(r["title"], r["text"]) for r in rows]
    _batch_equals_one_by_one(Classifier.load(MODEL).pipeline, articles)


def test_record_lines_are_the_records_json(tiny):
    """The CLI's lines (terms written from the batch's arrays) are the records' JSON to the
    byte, a record's own `evidence` or `keywords` field keeping its place."""
    model, items = tiny
    classifier = Classifier(model, {"labels": [str(c) for c in model.classes_]})
    records = []
    for i, (t, b) in enumerate(items):
        data = {"id": i, "title": t, "text": b}
        if i % 4 == 1:
            data["evidence"] = "mine"
        if i % 4 == 2:
            data = {"keywords": [1.5, "x"], **data}
        records.append(parse_record(data))
    for asked in ({"explain": 3, "keywords": 4}, {"explain": 2}, {"keywords": 5}, {}):
        made = process_records(records, classifier, batch_size=5, **asked)
        want = [json.dumps(r, ensure_ascii=False) for r in made]
        assert list(record_lines(records, classifier, batch_size=5, **asked)) == want
        labelled = list(labelled_lines(records, classifier, batch_size=5, **asked))
        assert labelled == [(json.loads(w)["label"], w, False) for w in want]


def test_the_word_table_numbers_each_word_once_and_judges_it_once():
    from service.reading import Words

    table, calls = Words(), []

    def judge(word: str) -> int:
        calls.append(word)
        return len(word)

    first = table.ids(["贵阳", "数据", "贵阳"])
    assert first[0] == first[2] != first[1]
    assert table.judged(judge, np.int64)[first].tolist() == [2, 2, 2]
    more = table.ids(["数据", "大数据"])
    assert more[0] == first[1] and table.names[more[1]] == "大数据"
    assert table.judged(judge, np.int64)[more].tolist() == [2, 3]
    assert sorted(calls) == sorted(["贵阳", "数据", "大数据"])  # each word judged once
    assert table.names == ["贵阳", "数据", "大数据"]  # numbered in the order first met


def test_keywords_median_idf_is_numpys():
    """keywords' median (kept off np.median, which imports numpy.ma) gives np.median's answer."""
    from service.keywords import _median

    rng = np.random.default_rng(7)
    for n in [*range(1, 30), 1000, 1001]:
        values = rng.random(n) * 12
        assert _median(values) == float(np.median(values))
        values[rng.integers(n)] = np.nan
        assert np.isnan(_median(values)) and np.isnan(np.median(values))


def test_a_batch_top_k_equals_sorting_every_pair():
    """`WordBatch.top` sorts only the values at least each reading's k-th largest: the same
    pairs, in the same order, as sorting them all (ties, zeros, short readings included)."""
    from service.reading import WordBatch

    rng = np.random.default_rng(7)
    sizes = np.array([0, 1, 3, 40, 7, 200, 5])
    docs = np.repeat(np.arange(len(sizes)), sizes)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    score = rng.integers(-2, 6, len(docs)).astype(float)  # many ties, some not positive
    batch = WordBatch([], docs, docs, docs, docs, docs, docs, offsets, docs, (), None)
    for k in (1, 2, 3, 5, 8, 300):
        keep = np.flatnonzero(score > 0)
        order = keep[np.lexsort((keep, -score[keep], docs[keep]))]
        rank = np.arange(len(order)) - np.searchsorted(docs[order], docs[order])
        assert batch.top(score, k).tolist() == order[rank < k].tolist()


def test_at_least_kth_is_each_readings_kth_largest():
    """`_at_least_kth` (a partition of negated rows padded with +inf) keeps exactly the values
    at least their reading's k-th largest: every value of a reading with k or fewer."""
    from service.reading import _at_least_kth

    rng = np.random.default_rng(11)
    sizes = np.array([0, 1, 3, 13, 14, 500, 7, 60])
    docs = np.repeat(np.arange(len(sizes)), sizes)
    for values in (rng.random(len(docs)) * 3, rng.integers(1, 4, len(docs)) * 0.7):  # ties
        for k in (1, 2, 5, 13, 600):
            want = [
                v >= (np.sort(values[docs == d])[::-1][k - 1] if sizes[d] >= k else -np.inf)
                for v, d in zip(values, docs, strict=True)
            ]
            assert _at_least_kth(values, docs, len(sizes), k).tolist() == want


def test_a_batch_numbers_its_pairs_as_the_stable_sort_does():
    """`_pairs`: the same first places and pair numbers as a plain stable sort of the keys
    (repeats, reading-major runs, huge keys, none)."""
    from service import reading

    def stable(key):
        perm = np.argsort(key, kind="stable")
        ordered = key[perm]
        opens = np.ones(len(key), dtype=bool)
        opens[1:] = ordered[1:] != ordered[:-1]
        numbers = np.cumsum(np.bincount(perm[opens], minlength=len(key)) > 0) - 1
        pair = np.empty(len(key), dtype=np.int64)
        pair[perm] = numbers[perm[opens]][np.cumsum(opens) - 1]
        return np.flatnonzero(np.bincount(perm[opens], minlength=len(key))), pair

    rng = np.random.default_rng(3)
    for key in (
        rng.integers(0, 50, 2000),  # many repeats
        np.repeat(np.arange(30), 5) * 1000 + rng.integers(0, 40, 150),  # reading-major
        rng.integers(0, 1 << 61, 100),  # too large to make distinct: the stable sort itself
        np.zeros(0, dtype=np.int64),
    ):
        first, pair = reading._pairs(key)
        want_first, want_pair = stable(key)
        assert first.tolist() == want_first.tolist() and pair.tolist() == want_pair.tolist()


def test_a_batch_reads_each_bodys_index_into_an_array_of_its_own():
    # Read at once for the batch, each body keeps its own offsets: a body kept afterwards (the
    # page cache) holds its own array, not the whole batch's.
    from service.documents import Body

    texts = ["本报讯 记者王明报道。\n会议指出，要办好教育。", "第二篇  正文", "只有正文。"]
    articles = [single_article("", t) for t in texts]
    alone = [single_article("", t).body.index for t in texts]
    Body.index_all([a.body for a in articles])
    for article, own in zip(articles, alone, strict=True):
        assert article.body.index.base is None
        assert np.array_equal(article.body.index, own)
