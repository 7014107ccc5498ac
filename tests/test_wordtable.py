"""The word table's short-word codes and its hash table of codes (service.wordtable)."""

from __future__ import annotations

import numpy as np

from service.wordtable import MAX_CHARS, CodeTable, Words, word_codes


def _cut(texts: list[list[str]]) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    words = [w for ws in texts for w in ws]
    sizes = np.asarray([len(w) for w in words], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    return words, ["".join(ws) for ws in texts], starts, sizes


def test_codes_tell_words_of_up_to_four_code_points_apart_exactly():
    words, texts, starts, sizes = _cut(
        [["贵阳", "数据", "贵阳", "a", "ab", "abc", "abcd", "数字经济", "数字经济"],
         ["\x00", "\x00\x00", "\U0010ffff", "\uffff\uffff\uffff\uffff", "数字经济体"],
         ["\ud800", "贵", "阳", "贵阳市", "\U0010ffff数字经", "\x00\x00\x00\x00"]]
    )  # fmt: skip
    codes, fours = word_codes(texts, starts, sizes)
    by_code: dict[tuple[int, int], str] = {}
    for word, code, four in zip(words, codes.tolist(), fours.tolist(), strict=True):
        if len(word) <= MAX_CHARS:
            assert code > 0 and four == 0
        elif len(word) == 4 and max(map(ord, word)) < 0x10000 and word != "\x00" * 4:
            assert code == 0 and four != 0
        else:  # left to the word strings
            assert code == 0 and four == 0
            continue
        assert by_code.setdefault((code, four), word) == word
    assert len(by_code) == len(set(by_code.values()))


def test_code_table_finds_what_it_holds_through_collisions_and_growth():
    table = CodeTable(bits=2)  # four slots: probes wrap, and it grows
    rng = np.random.default_rng(7)
    codes = np.unique(rng.integers(-(1 << 63), 1 << 63, 500, dtype=np.int64))
    codes = codes[codes != 0]  # 0 marks an empty slot; a four's code may be negative
    for part in np.array_split(np.arange(len(codes)), 7):
        table.add(codes[part], part * 3)
    assert table.get(codes).tolist() == (np.arange(len(codes)) * 3).tolist()
    assert table.get(np.asarray([0, codes.max() + 1])).tolist() == [-1, -1]
    assert 2 * table.count <= len(table.keys)


def test_ids_at_numbers_words_as_ids_does():
    texts = [
        ["贵阳", "大数据", "贵阳", "博览会", "数字经济"],
        ["数据", "贵阳", "数字经济", "。", "数字经济体"],
        [],
        ["龘龘龘龘", "中华人民共和国", "贵阳", "中华人民共和国", "\U0001f600\U0001f600大数据"],
    ]
    words, joined, starts, sizes = _cut(texts)
    by_codes = Words()
    first = by_codes.ids_at(texts[:1], joined[:1], starts[:5], sizes[:5])
    again = by_codes.ids_at(texts, joined, starts, sizes)  # now mostly from the code tables
    plain = Words()
    assert again.tolist() == plain.ids(words).tolist()
    assert first.tolist() == again[:5].tolist()
    assert by_codes.names == plain.names
    assert by_codes.ids_at(texts, joined, starts, sizes).tolist() == again.tolist()
