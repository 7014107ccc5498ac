"""The optional C extension (service/_kernels.c) against the Python paths it stands in for:
the same values on the same texts, and the Python path wherever the extension does not take
an input. Under CI the extension must be built (`make install` builds it)."""

from __future__ import annotations

import os

import pytest


def _built(kernel, answers: str) -> None:
    """Skip where the optional extension is not built (`answers`: who answers then); under CI
    it must be built."""
    if kernel is None:
        assert not os.environ.get("CI"), "service._kernels is not built (make install builds it)"
        pytest.skip(f"the C extension is not built here: {answers}")


def _text_of(rng, pieces: str):
    """Random texts of up to n characters drawn from `pieces`."""

    def text(n: int) -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, n)))

    return text


def test_split_overlap_counts_in_c_what_the_array_pass_counts():
    # The optional C extension (service/_kernels.c, which split_overlap reads where it is built)
    # and the numpy pass (array_overlap) give the same values: Han characters at the range's
    # ends and just past them, marks, blanks, Latin-1 alone, a lone surrogate, a character past
    # the BMP; and texts past the C table's room or of a str subclass go to the arrays.
    import random

    from service import cohesion

    _built(cohesion._counts, "the arrays answer")
    rng = random.Random(161)
    pieces = "一龥育秧工厂中国人民，。、 \n\u3000a1é\u4dff\ua000\ud800😀"

    text = _text_of(rng, pieces)

    for _ in range(5000):
        texts = text(300), text(300), text(40)
        assert cohesion.split_overlap(*texts) == cohesion.array_overlap(*texts)
    for texts in (("", "", ""), ("aé", "aé", "é"), ("一龥", "龥一", "一龥")):
        assert cohesion.split_overlap(*texts) == cohesion.array_overlap(*texts)
    room = "一龥育秧" * 500
    assert cohesion._counts(room, "", "") is None
    assert cohesion.split_overlap(room, "秧一龥", "育秧") == cohesion.array_overlap(
        room, "秧一龥", "育秧"
    )

    class Text(str):
        pass

    assert cohesion._counts(Text("一一"), "一一", "") is None


def test_form_models_score_in_c_what_their_dict_scores():
    # The optional C extension's gram lookup (form_hits, which head_parts._form reads where it is
    # built) gives the log-odds the models' dict gives: lines of the models' own characters,
    # blank runs, a lone surrogate, a character past the BMP, a line past its room (the dict
    # answers), models made anew (a fold's) and models with grams of other lengths.
    import random

    from service import head_parts
    from service.head_parts import _FIRST, _SECOND, _form, form_grams, forms, fsum

    _built(head_parts._form_hits, "the dict answers")

    def by_dict(models, line: str) -> tuple[float, float]:
        kicker, deck, weights, _ = models
        hits = [weights[g] for g in form_grams(line) if g in weights]
        return kicker + fsum(map(_FIRST, hits)), deck + fsum(map(_SECOND, hits))

    shipped = forms()
    weights = {"育秧": (1.0, 2.0), "工": (-0.5, 0.125), "工厂的": (9.0, 9.0)}
    other = (0.5, -0.25, weights, frozenset())
    rng = random.Random(161)
    pieces = "".join(sorted({c for g in shipped[2] for c in g})) + "育秧工厂 \u3000\t\xa0a😀\ud800"
    for _ in range(5000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 70)))
        for models in (shipped, other):
            assert _form(models, line) == by_dict(models, line)
    long = "".join(rng.choice(pieces) for _ in range(300))
    assert head_parts._form_hits(long, head_parts._TABLES[id(shipped[2])][1]) is None
    assert _form(shipped, long) == by_dict(shipped, long)


def test_char_blocks_find_in_c_the_ngrams_their_arrays_find():
    # The optional C extension's n-gram lookup (ngram_hits, which ngrams.known_ngrams reads where
    # it is built) finds what CharTfidf's numpy passes find, in the same order and dtypes: texts
    # empty, one character long, with whitespace runs, upper case, a lone surrogate, a character
    # past the BMP; unigrams past the flat array's end; ranges (1, 3), (2, 3), (1, 1), (3, 3).
    import random

    import numpy as np

    from service import ngrams
    from service.model import CharTfidf, TermTable, ngram_code

    _built(ngrams._ngram_hits, "the arrays answer")
    rng = random.Random(187)
    pieces = "育秧工厂中国人民，。 \n\u3000\tAbé\ud800😀"

    text = _text_of(rng, pieces)

    found_in_c = ngrams._ngram_hits
    grams = sorted({text(3)[:3] or "育" for _ in range(400)} - {""})
    codes = np.array(sorted({ngram_code(g.lower()) for g in grams}), dtype=np.int64)
    table = TermTable.build(codes, rng.sample(range(10 * len(codes)), len(codes)))
    for ngram_range in ((1, 3), (2, 3), (1, 1), (3, 3)):
        block = CharTfidf(
            table, np.ones(10 * len(codes)), ngram_range=ngram_range, lowercase=True,
            sublinear_tf=True, norm="l2",
        )  # fmt: skip
        for _ in range(300):
            texts = [text(rng.choice((0, 1, 2, 40))) for _ in range(rng.randint(0, 6))]
            assert ngrams.known_ngrams(texts, ngram_range, True, block._unigrams(), table)
            fast = block.hits(texts, positions=True)
            ngrams._ngram_hits = None
            try:
                slow = block.hits(texts, positions=True)
            finally:
                ngrams._ngram_hits = found_in_c
            for a, b in zip(fast, slow, strict=True):
                assert a.dtype == b.dtype and np.array_equal(a, b)


def test_rows_sort_their_hits_in_c_as_scipys_kernels_do():
    # The optional C extension's counting sort (value_rows, which termrows.tfidf_entries reads
    # by feature where it is built) gives the matrix (to the bit), entries and counts of scipy's
    # and numpy's passes: hits in any order, repeated, columns with no hit, the first and
    # last columns, texts with no hit.
    import random

    import numpy as np

    from service import termrows

    _built(termrows._value_rows, "the arrays answer")
    rng = np.random.default_rng(187)
    fast = termrows._value_rows
    for trial in range(400):
        n_docs, n_features = int(rng.integers(1, 9)), int(rng.integers(1, 40))
        nnz = int(rng.integers(1, 3 * n_features)) if trial % 10 else 0
        columns = rng.integers(0, n_features, max(nnz, int(n_features * 0.25) + 1))
        columns = columns.astype(np.int32)
        owners = np.sort(rng.integers(0, n_docs, len(columns))).astype(np.int32)
        if random.Random(trial).random() < 0.5:
            owners = rng.permutation(owners).astype(np.int32)
        idf = rng.random(n_features) + 1
        args = (columns, owners, n_docs, idf, bool(trial % 2), "l2" if trial % 3 else None)
        got = termrows.tfidf_entries(*args)
        termrows._value_rows = None
        try:
            want = termrows.tfidf_entries(*args)
        finally:
            termrows._value_rows = fast
        assert not got[0].by_text and not want[0].by_text
        for a, b in zip(
            (got[0].indptr, got[0].indices, got[0].data, *got[1:]),
            (want[0].indptr, want[0].indices, want[0].data, *want[1:]),
            strict=True,
        ):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_words_are_numbered_in_c_as_their_codes_number_them():
    # The optional C extension's word numbers (word_ids, which wordtable.Words.ids_at reads where
    # it is built) are those of `word_codes` and the code tables' `get`: words of one to five
    # code points, empty ones, four of U+0000, past the BMP, a lone surrogate; tables that have
    # met some of them (and grew) and tables that have met none.
    import random

    import numpy as np

    from service import wordtable
    from service.wordtable import Words, word_codes

    _built(wordtable._word_ids, "the arrays answer")
    rng = random.Random(187)
    pieces = "育秧工厂中国人民，。 \x00a😀\ud800"
    for trial in range(60):
        table = Words()
        for _ in range(3):
            words = [
                "".join(rng.choice(pieces) for _ in range(rng.choice((0, 1, 2, 3, 4, 4, 5))))
                for _ in range(rng.randint(0, 300))
            ] + ["\x00" * 4]
            texts = ["".join(words[:7]), "".join(words[7:])]
            sizes = np.array([len(w) for w in words], dtype=np.int64)
            starts = np.cumsum(sizes) - sizes
            got = wordtable._coded_ids(
                texts, starts, sizes, table._coded, table._fours, table._coded_lock
            )
            codes, fours = word_codes(texts, starts, sizes)
            want = table._coded.get(codes)
            want[np.flatnonzero(fours)] = table._fours.get(fours[np.flatnonzero(fours)])
            assert got is not None and np.array_equal(got, want)
            if trial % 2:
                table.ids_at([words[:7], words[7:]], texts, starts, sizes)  # learn them


def test_pairs_are_numbered_in_c_as_the_stable_sort_numbers_them():
    # The optional C extension's pair numbers (pair_numbers, which WordBatch.of reads where it is
    # built) are `reading._pairs`' of the keys doc · names + id: readings with no words, words
    # repeated within and across readings, one name, none; ids past the names or docs not
    # ascending are left to the sort.

    import numpy as np

    from service import wordtable
    from service.reading import _pairs

    _built(wordtable._pair_numbers, "the sort answers")
    rng = np.random.default_rng(187)
    for _ in range(500):
        names = int(rng.integers(1, 50))
        doc = np.sort(rng.integers(0, 8, int(rng.integers(0, 200))))
        ids = rng.integers(0, names, len(doc))
        got = wordtable.pair_numbers(doc, ids, names)
        want = _pairs(doc * names + ids)
        assert got is not None
        for a, b in zip(got, want, strict=True):
            assert a.dtype == b.dtype and np.array_equal(a, b)
    assert wordtable.pair_numbers(np.array([0, 1]), np.array([0, 5]), 5) is None
    assert wordtable.pair_numbers(np.array([1, 0]), np.array([0, 1]), 5) is None


def test_texts_are_prepared_in_c_as_python_prepares_them():
    # The optional C extension's preparing (prepared, which ngrams.prepared_points reads where it
    # is built) gives the code points, texts, ends and odd texts of str.lower and the squeeze:
    # runs of every kind of blank (\x1c-\x1f and \x85 are \s too), a final Σ, İ (lowers to two:
    # the C pass declines, Python answers), a lone surrogate, past the BMP, empty texts.
    import random

    import numpy as np

    from service import ngrams

    _built(ngrams._prepared, "Python answers")
    rng = random.Random(187)
    pieces = "育秧工厂 \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u3000\u2028ΑΣσAbé\ud800😀"
    fast = ngrams._prepared
    for trial in range(3000):
        texts = [
            "".join(rng.choice(pieces) for _ in range(rng.choice((0, 1, 3, 30))))
            for _ in range(rng.randint(0, 5))
        ]
        if trial % 50 == 0:
            texts.append("İstanbul")
        lower = bool(trial % 3)
        odd, odd_too = np.zeros(len(texts), bool), np.ones(len(texts), bool)
        got = ngrams.prepared_points(texts, lower, odd)
        ngrams._prepared = None
        try:
            want = ngrams.prepared_points(texts, lower, odd_too)
        finally:
            ngrams._prepared = fast
        for a, b in zip(got, want, strict=True):
            assert a.dtype == b.dtype and np.array_equal(a, b)
        # `odd`: the texts that prepare to other positions than their own, as both tell them
        assert np.array_equal(odd, odd_too)
        for t, flagged in zip(texts, odd.tolist(), strict=True):
            same = np.array_equal(ngrams.prepared_positions(t, lower)[1], np.arange(len(t)))
            assert flagged or same
        base = np.cumsum([0] + [len(t) + 3 for t in texts])
        assert np.array_equal(
            ngrams.prepared_origins(texts, lower, base, odd),
            ngrams.prepared_origins(texts, lower, base),
        )


def test_a_batchs_top_pairs_are_chosen_in_c_as_the_sorts_choose_them():
    # The optional C extension's choice (top_pairs, which WordBatch.top reads where it is built)
    # is the numpy passes': per reading its k best pairs of score > 0, ties in text order (equal
    # scores in plenty), readings with none, zeros, negatives and NaN left out, k past a reading.

    import numpy as np

    from service import wordtable
    from service.reading import WordBatch

    _built(wordtable._top_pairs, "the sorts answer")
    rng = np.random.default_rng(187)
    fast = wordtable._top_pairs
    for trial in range(400):
        n_docs = int(rng.integers(1, 9))
        pair_doc = np.sort(rng.integers(0, n_docs, int(rng.integers(0, 120))))
        score = rng.integers(-2, 6, len(pair_doc)).astype(np.float64) / 4
        if trial % 7 == 0:
            score[rng.integers(0, len(score), 3) if len(score) else []] = np.nan
        offsets = np.searchsorted(pair_doc, np.arange(n_docs + 1))
        none = np.zeros(0, np.int64)
        batch = WordBatch([], none, none, none, pair_doc, none, none, offsets, none, (), None)
        for k in (1, 2, 5, 13):
            got = batch.top(score, k)
            wordtable._top_pairs = None
            try:
                want = batch.top(score, k)
            finally:
                wordtable._top_pairs = fast
            assert got.dtype == want.dtype and np.array_equal(got, want)
