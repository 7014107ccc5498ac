/* Hot kernels of bare page splitting and of the char blocks, as an optional extension (each caller
 * keeps its Python way, which defines the values: tests read both on the same texts).
 *
 * counts: the bigram counts of `service.cohesion.split_overlap` in one pass. The head score asks,
 * for each bare head, how many distinct CJK character pairs the window above it, the window below
 * it and the head hold, and how many the window below shares with each of the others. Its numpy
 * pass costs ~17 array calls a head, and in the running splitter (cache-cold) that was ~18% of a
 * bare page's time: here each pair goes into a small hash table tagged by the texts holding it,
 * and the table is counted once. `counts(before, after, head)` gives (|before|, |after|, |head|,
 * |before & after|, |after & head|), or None for anything it does not take (a text not a str,
 * texts longer than the table's room): the caller then makes its numpy pass.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define FIRST 0x4E00u  /* the CJK unified ideographs a pair is made of: U+4E00 to U+9FFF */
#define SPAN 0x51FFu   /* 0x9FFF - 0x4E00 */
#define SLOTS 4096u    /* a power of two, past twice the most pairs taken (ROOM) */
#define ROOM 1800      /* characters of the three texts together (a head's are ~500) */

/* A slot is taken when its stamp is this call's: no table cleared per call. Static: the GIL is
 * held throughout a call (nothing in it calls back into Python), so calls never overlap. */
static uint32_t keys[SLOTS];
static uint8_t tags[SLOTS];
static uint32_t stamps[SLOTS];
static uint32_t stamp;
static uint32_t used[ROOM];

static Py_ssize_t put(PyObject *s, uint8_t tag, Py_ssize_t n_used) {
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (kind == PyUnicode_1BYTE_KIND) {
        return n_used; /* Latin-1 only: no CJK character */
    }
    for (Py_ssize_t i = 0; i + 1 < n; i++) {
        uint32_t a = (uint32_t)PyUnicode_READ(kind, data, i) - FIRST;
        uint32_t b = (uint32_t)PyUnicode_READ(kind, data, i + 1) - FIRST;
        if (a > SPAN || b > SPAN) {
            continue; /* (below U+4E00 wraps past SPAN: one test a side) */
        }
        uint32_t key = a * (SPAN + 1u) + b;
        uint32_t h = (key * 2654435761u) >> 20;
        for (;;) {
            h &= SLOTS - 1u;
            if (stamps[h] != stamp) {
                stamps[h] = stamp;
                keys[h] = key;
                tags[h] = tag;
                used[n_used++] = h;
                break;
            }
            if (keys[h] == key) {
                tags[h] |= tag;
                break;
            }
            h++;
        }
    }
    return n_used;
}

static PyObject *counts(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3) {
        Py_RETURN_NONE;
    }
    Py_ssize_t total = 0;
    for (int k = 0; k < 3; k++) {
        if (!PyUnicode_CheckExact(args[k])) {
            Py_RETURN_NONE;
        }
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(args[k]) < 0) {
            return NULL;
        }
#endif
        total += PyUnicode_GET_LENGTH(args[k]);
    }
    if (total > ROOM) {
        Py_RETURN_NONE;
    }
    if (++stamp == 0) { /* wrapped: every old stamp could read as this call's */
        memset(stamps, 0, sizeof stamps);
        stamp = 1;
    }
    Py_ssize_t n_used = put(args[0], 1, 0);
    n_used = put(args[1], 2, n_used);
    n_used = put(args[2], 4, n_used);
    long c[5] = {0, 0, 0, 0, 0};
    for (Py_ssize_t i = 0; i < n_used; i++) {
        uint8_t g = tags[used[i]];
        c[0] += g & 1;
        c[1] += (g >> 1) & 1;
        c[2] += (g >> 2) & 1;
        c[3] += (g & 3) == 3;
        c[4] += (g & 6) == 6;
    }
    return Py_BuildValue("(lllll)", c[0], c[1], c[2], c[3], c[4]);
}

/* form_hits: the grams of a head line (`service.head_parts.form_grams`: each character and each
 * two in a row, of the line with its blank runs made one space by the caller) that the form models
 * weigh, as slots of their table (`head_parts._gram_table`: codes as uint64, open addressing by a
 * multiplicative hash, EMPTY where none): each slot once, in no set order (the caller sums the
 * weights with fsum, exact whatever the order). None for anything it does not take. The models'
 * dict lookups of freshly made strings were most of the pair score's ~110 us a head in situ. */
#define EMPTY UINT64_MAX
#define MAX_LINE 256

static PyObject *form_hits(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_CheckExact(args[0]) || !PyBytes_CheckExact(args[1])) {
        Py_RETURN_NONE;
    }
    PyObject *s = args[0];
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(s) < 0) {
        return NULL;
    }
#endif
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    Py_ssize_t size = PyBytes_GET_SIZE(args[1]) / 8;
    if (n > MAX_LINE || size < 2 || (size & (size - 1))) {
        Py_RETURN_NONE;
    }
    const uint64_t *keys = (const uint64_t *)PyBytes_AS_STRING(args[1]);
    int bits = 0;
    while (((Py_ssize_t)1 << bits) < size) {
        bits++;
    }
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t found[2 * MAX_LINE];
    Py_ssize_t n_found = 0;
    for (Py_ssize_t i = 0; i < 2 * n - 1; i++) {
        uint64_t code;
        if (i < n) {
            code = (uint64_t)PyUnicode_READ(kind, data, i);
        } else {
            Py_ssize_t j = i - n;
            code = ((uint64_t)1 << 42) | ((uint64_t)PyUnicode_READ(kind, data, j) << 21) |
                   (uint64_t)PyUnicode_READ(kind, data, j + 1);
        }
        uint64_t h = (code * 0x9E3779B97F4A7C15ull) >> (64 - bits);
        for (Py_ssize_t probe = 0; probe < size; probe++) { /* (bounded: a full table ends) */
            uint64_t key = keys[h];
            if (key == code) {
                Py_ssize_t k = 0;
                while (k < n_found && found[k] != (Py_ssize_t)h) {
                    k++;
                }
                if (k == n_found) {
                    found[n_found++] = (Py_ssize_t)h;
                }
                break;
            }
            if (key == EMPTY) {
                break;
            }
            h = (h + 1) & (uint64_t)(size - 1);
        }
    }
    PyObject *out = PyList_New(n_found);
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n_found; k++) {
        PyObject *v = PyLong_FromSsize_t(found[k]);
        if (v == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, k, v);
    }
    return out;
}

/* ngram_hits: the char n-grams of length n a TF-IDF block knows (`service.model.CharTfidf.hits`,
 * whose numpy pass defines the values), in one pass over the prepared texts' code points (+1, as
 * int64) instead of ~15 array passes: an n-gram starting at i that stays in its text (doc[i] ==
 * doc[i + n - 1]) is coded as `ngrams` codes it and looked up, a unigram in the flat column array
 * (int32, -1 past its end), a longer one in the TermTable's pairs (key, column as int64, open
 * addressing with the same multiplicative hash); each known one's column and start are written
 * in order of start. Returns how many, or None for anything it does not take. */
static int buffer_of(PyObject *o, Py_buffer *view, Py_ssize_t itemsize, int writable) {
    if (PyObject_GetBuffer(o, view, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        return 0;
    }
    if (view->len % itemsize) {
        PyBuffer_Release(view);
        return 0;
    }
    return 1;
}

#define AHEAD 16

static inline int64_t code_at(const int64_t *p, Py_ssize_t i, long n) {
    int64_t code = (p[i] << 21) | p[i + 1];
    return n == 3 ? (code << 21) | p[i + 2] : code;
}

static PyObject *ngram_hits(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6 || !PyLong_Check(args[2])) {
        Py_RETURN_NONE;
    }
    long n = PyLong_AsLong(args[2]);
    if (n < 1 || n > 3) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    Py_buffer b[5];
    const Py_ssize_t itemsize[5] = {8, 4, n == 1 ? 4 : 16, 4, 8};
    int taken = 0;
    for (int k = 0; k < 5; k++) {
        if (!buffer_of(args[k < 2 ? k : k + 1], &b[k], itemsize[k], k >= 3)) {
            break;
        }
        taken++;
    }
    PyObject *out = Py_None;
    Py_ssize_t points = taken == 5 ? b[0].len / 8 : 0;
    Py_ssize_t size = taken == 5 ? b[2].len / itemsize[2] : 0;
    Py_ssize_t m = points - n + 1;
    if (taken == 5 && b[1].len / 4 == points && m > 0 && b[3].len / 4 >= m && b[4].len / 8 >= m &&
        size > 0 && (n == 1 || !(size & (size - 1)))) {
        const int64_t *p = (const int64_t *)b[0].buf;
        const int32_t *doc = (const int32_t *)b[1].buf;
        int32_t *cols = (int32_t *)b[3].buf;
        int64_t *pos = (int64_t *)b[4].buf;
        Py_ssize_t found = 0;
        if (n == 1) {
            const int32_t *flat = (const int32_t *)b[2].buf;
            for (Py_ssize_t i = 0; i < m; i++) {
                /* (a code past the end: the last entry, -1, as numpy's take with mode="clip") */
                int64_t c = p[i];
                int32_t col = flat[(uint64_t)c < (uint64_t)size ? c : size - 1];
                if (col >= 0) {
                    cols[found] = col;
                    pos[found++] = i;
                }
            }
        } else {
            const int64_t *pairs = (const int64_t *)b[2].buf;
            int bits = 0;
            while (((Py_ssize_t)1 << bits) < size) {
                bits++;
            }
            uint64_t mask = (uint64_t)size - 1;
            for (Py_ssize_t i = 0; i < m; i++) {
                if (i + AHEAD < m) { /* the slot a later n-gram reads, asked for now: the table
                                      * is megabytes, and its reads wait on memory otherwise */
                    __builtin_prefetch(&pairs[2 * (((uint64_t)code_at(p, i + AHEAD, n) *
                                                    0x9E3779B97F4A7C15ull) >> (64 - bits))]);
                }
                if (doc[i] != doc[i + n - 1]) {
                    continue; /* spans two texts */
                }
                int64_t code = code_at(p, i, n);
                uint64_t h = ((uint64_t)code * 0x9E3779B97F4A7C15ull) >> (64 - bits);
                for (Py_ssize_t probe = 0; probe < size; probe++) { /* (bounded: a full table) */
                    int64_t key = pairs[2 * h];
                    if (key == code) {
                        int32_t col = (int32_t)pairs[2 * h + 1];
                        if (col >= 0) {
                            cols[found] = col;
                            pos[found++] = i;
                        }
                        break;
                    }
                    if (key == 0) {
                        break;
                    }
                    h = (h + 1) & mask;
                }
            }
        }
        out = PyLong_FromSsize_t(found);
    } else {
        Py_INCREF(out);
    }
    for (int k = 0; k < taken; k++) {
        PyBuffer_Release(&b[k]);
    }
    return out;
}

/* value_rows: `service.termrows.tfidf_entries`' counting sort by feature (whose scipy and numpy
 * passes, `_sorted_hits`, define the values) in three C passes: the hits counted per column, each
 * hit's place in the stable order (a column's texts in input order, as scipy's coo_tocsr leaves
 * them), then one walk over the columns making a value of each run of one text: where each
 * column's values start (`indptr`, n_features + 1), each value's text (`docs`) and hit count
 * (`counts`), and for each hit (in input order) its value's number (`entry`). int32 indexes
 * only; returns how many values, or None for anything it does not take. */
static PyObject *value_rows(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6) {
        Py_RETURN_NONE;
    }
    Py_buffer b[6];
    const Py_ssize_t itemsize[6] = {4, 4, 4, 4, 8, 4};
    int taken = 0;
    for (int k = 0; k < 6; k++) {
        if (!buffer_of(args[k], &b[k], itemsize[k], k >= 2)) {
            break;
        }
        taken++;
    }
    PyObject *out = Py_None;
    int32_t *sorted = NULL;
    Py_ssize_t nnz = taken == 6 ? b[0].len / 4 : -1;
    Py_ssize_t n_outer = taken == 6 ? b[2].len / 4 - 1 : -1;
    if (taken == 6 && nnz < INT32_MAX && b[1].len / 4 == nnz && n_outer >= 0 &&
        b[3].len / 4 == nnz && b[4].len / 8 == nnz && b[5].len / 4 == nnz) {
        const int32_t *columns = (const int32_t *)b[0].buf, *owners = (const int32_t *)b[1].buf;
        int32_t *indptr = (int32_t *)b[2].buf, *docs = (int32_t *)b[3].buf;
        int64_t *counts = (int64_t *)b[4].buf;
        int32_t *entry = (int32_t *)b[5].buf;
        sorted = (int32_t *)malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof(int32_t));
        int ok = sorted != NULL;
        memset(indptr, 0, (size_t)(n_outer + 1) * 4);
        for (Py_ssize_t k = 0; ok && k < nnz; k++) {
            ok = columns[k] >= 0 && columns[k] < n_outer;
            if (ok) {
                indptr[columns[k] + 1]++;
            }
        }
        if (ok) {
            for (Py_ssize_t c = 0; c < n_outer; c++) {
                indptr[c + 1] += indptr[c];
            }
            /* each hit's text at its place in the sorted order; the place kept in `entry` until
             * its value is known */
            for (Py_ssize_t k = 0; k < nnz; k++) {
                if (k + AHEAD < nnz) { /* (a column's next place: megabytes, out of order) */
                    __builtin_prefetch(&sorted[indptr[columns[k + AHEAD]]], 1);
                }
                int32_t at = indptr[columns[k]]++;
                sorted[at] = owners[k];
                entry[k] = at;
            }
            /* (indptr now holds each column's end: its start is the one before's end) */
            int32_t start = 0, values = 0;
            for (Py_ssize_t c = 0; c < n_outer; c++) {
                int32_t end = indptr[c];
                indptr[c] = values;
                int32_t last = -1;
                for (int32_t at = start; at < end; at++) {
                    int32_t d = sorted[at];
                    if (at == start || d != last) { /* a new value: a new column or text */
                        docs[values] = d;
                        counts[values++] = 0;
                        last = d;
                    }
                    counts[values - 1]++;
                    sorted[at] = values - 1; /* (the place's value, in place of its text) */
                }
                start = end;
            }
            indptr[n_outer] = values;
            for (Py_ssize_t k = 0; k < nnz; k++) {
                if (k + AHEAD < nnz) {
                    __builtin_prefetch(&sorted[entry[k + AHEAD]]);
                }
                entry[k] = sorted[entry[k]];
            }
            out = PyLong_FromSsize_t(values);
        }
    }
    free(sorted);
    if (out == Py_None) {
        Py_INCREF(out);
    }
    for (int k = 0; k < taken; k++) {
        PyBuffer_Release(&b[k]);
    }
    return out;
}

/* word_ids: `service.wordtable.Words.ids_at`'s numbers by code (whose numpy passes define them:
 * `word_codes`, then `CodeTable.get` of each table) in one pass: word i is `sizes[i]` code points
 * from `starts[i]` of the texts joined (`points`, as UTF-32 code units); one to three are coded
 * each + 1 in 21 bits (0 past the word's end) and looked up in the first table, four below
 * U+10000 coded 16 bits each and looked up in the second (which then answers); -1 where neither
 * holds the word. A table is its keys and numbers (int64, 0: empty; open addressing, the same
 * multiplicative hash). True once `ids` is filled; None for anything it does not take. */
static int64_t code_number(const int64_t *keys, const int64_t *values, Py_ssize_t size, int bits,
                           int64_t code) {
    uint64_t h = ((uint64_t)code * 0x9E3779B97F4A7C15ull) >> (64 - bits);
    for (Py_ssize_t probe = 0; probe < size; probe++) { /* (bounded: a full table) */
        int64_t key = keys[h];
        if (key == code) {
            return values[h];
        }
        if (key == 0) {
            return -1;
        }
        h = (h + 1) & (uint64_t)(size - 1);
    }
    return -1;
}

static PyObject *word_ids(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 8) {
        Py_RETURN_NONE;
    }
    Py_buffer b[8];
    const Py_ssize_t itemsize[8] = {4, 8, 8, 8, 8, 8, 8, 8};
    int taken = 0;
    for (int k = 0; k < 8; k++) {
        if (!buffer_of(args[k], &b[k], itemsize[k], k == 7)) {
            break;
        }
        taken++;
    }
    PyObject *out = Py_None;
    Py_ssize_t n = taken == 8 ? b[1].len / 8 : -1;
    Py_ssize_t size1 = taken == 8 ? b[3].len / 8 : 0, size2 = taken == 8 ? b[5].len / 8 : 0;
    if (taken == 8 && b[2].len / 8 == n && b[7].len / 8 == n && b[4].len == b[3].len &&
        b[6].len == b[5].len && size1 > 1 && !(size1 & (size1 - 1)) && size2 > 1 &&
        !(size2 & (size2 - 1))) {
        const uint32_t *points = (const uint32_t *)b[0].buf;
        Py_ssize_t total = b[0].len / 4;
        const int64_t *starts = (const int64_t *)b[1].buf, *sizes = (const int64_t *)b[2].buf;
        const int64_t *keys1 = (const int64_t *)b[3].buf, *values1 = (const int64_t *)b[4].buf;
        const int64_t *keys2 = (const int64_t *)b[5].buf, *values2 = (const int64_t *)b[6].buf;
        int64_t *ids = (int64_t *)b[7].buf;
        int bits1 = 0, bits2 = 0;
        while (((Py_ssize_t)1 << bits1) < size1) {
            bits1++;
        }
        while (((Py_ssize_t)1 << bits2) < size2) {
            bits2++;
        }
        int ok = 1;
        for (Py_ssize_t i = 0; i < n; i++) {
            int64_t s = starts[i], m = sizes[i];
            ids[i] = -1;
            if (m < 1 || m > 4) {
                continue;
            }
            if (s < 0 || s + m > total) {
                ok = 0;
                break;
            }
            const uint32_t *p = points + s;
            if (m <= 3) {
                int64_t code = 0;
                for (int j = 0; j < 3; j++) {
                    code = (code << 21) | (j < m ? (int64_t)p[j] + 1 : 0);
                }
                ids[i] = code_number(keys1, values1, size1, bits1, code);
            } else if (p[0] < 0x10000 && p[1] < 0x10000 && p[2] < 0x10000 && p[3] < 0x10000) {
                uint64_t four = ((uint64_t)p[0] << 48) | ((uint64_t)p[1] << 32) |
                                ((uint64_t)p[2] << 16) | (uint64_t)p[3];
                if (four != 0) {
                    ids[i] = code_number(keys2, values2, size2, bits2, (int64_t)four);
                }
            }
        }
        if (ok) {
            out = Py_True;
        }
    }
    Py_INCREF(out);
    for (int k = 0; k < taken; k++) {
        PyBuffer_Release(&b[k]);
    }
    return out;
}

/* pair_numbers: `service.reading._pairs` of the keys doc · names + id (whose stable sort defines
 * the values) in one pass, for docs ascending and ids in [0, names): the distinct (doc, id) are
 * numbered in the order they first occur, a word's last doc and number kept in a table by id
 * (no sort). Writes each place's number in `pair` and each number's first place in `first`;
 * returns how many, or None for anything it does not take. */
static PyObject *pair_numbers(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyLong_Check(args[2])) {
        Py_RETURN_NONE;
    }
    Py_ssize_t names = PyLong_AsSsize_t(args[2]);
    if (names < 0) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    Py_buffer b[4];
    int taken = 0;
    for (int k = 0; k < 4; k++) {
        if (!buffer_of(args[k < 2 ? k : k + 1], &b[k], 8, k >= 2)) {
            break;
        }
        taken++;
    }
    PyObject *out = Py_None;
    Py_ssize_t n = taken == 4 ? b[0].len / 8 : -1;
    int64_t *last = NULL, *number = NULL;
    if (taken == 4 && b[1].len / 8 == n && b[2].len / 8 == n && b[3].len / 8 == n) {
        const int64_t *doc = (const int64_t *)b[0].buf, *ids = (const int64_t *)b[1].buf;
        int64_t *pair = (int64_t *)b[2].buf, *first = (int64_t *)b[3].buf;
        last = (int64_t *)malloc((size_t)(names > 0 ? names : 1) * sizeof(int64_t));
        number = (int64_t *)malloc((size_t)(names > 0 ? names : 1) * sizeof(int64_t));
        int ok = last != NULL && number != NULL;
        for (Py_ssize_t w = 0; ok && w < names; w++) {
            last[w] = -1;
        }
        Py_ssize_t count = 0;
        for (Py_ssize_t i = 0; ok && i < n; i++) {
            int64_t d = doc[i], id = ids[i];
            ok = id >= 0 && id < names && d >= 0 && (i == 0 || d >= doc[i - 1]);
            if (!ok) {
                break;
            }
            if (last[id] != d) {
                last[id] = d;
                number[id] = count;
                first[count++] = i;
            }
            pair[i] = number[id];
        }
        if (ok) {
            out = PyLong_FromSsize_t(count);
        }
    }
    free(last);
    free(number);
    if (out == Py_None) {
        Py_INCREF(out);
    }
    for (int k = 0; k < taken; k++) {
        PyBuffer_Release(&b[k]);
    }
    return out;
}

/* prepared: `service.ngrams.prepared_points` (whose Python defines the values) in one pass per
 * text: each text lower-cased by its own str.lower (`lowercase`), its runs of two or more
 * whitespace characters (re's \s: Py_UNICODE_ISSPACE) made one space, and its code points + 1
 * written to `points` (int64) with the text's number in `doc` (int32), where a text ends in
 * `ends` (int64); with `odd` (bool, per text), whether the text prepares to other positions
 * than its own (lowered longer, or a run squeezed). Returns how many code points, or None for
 * anything it does not take (texts not a list of str, too little room: a text lowered longer). */
static PyObject *prepared(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if ((nargs != 5 && nargs != 6) || !PyList_CheckExact(args[0])) {
        Py_RETURN_NONE;
    }
    int lowercase = PyObject_IsTrue(args[1]);
    if (lowercase < 0) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    PyObject *texts = args[0];
    Py_ssize_t n_texts = PyList_GET_SIZE(texts);
    Py_buffer b[4];
    const Py_ssize_t itemsize[4] = {8, 4, 8, 1};
    int taken = 0, wanted = (int)nargs - 2;
    for (int k = 0; k < wanted; k++) {
        if (!buffer_of(args[k + 2], &b[k], itemsize[k], 1)) {
            break;
        }
        taken++;
    }
    PyObject *out = Py_None;
    if (taken == wanted && b[1].len / 4 == b[0].len / 8 && b[2].len / 8 == n_texts &&
        (wanted == 3 || b[3].len == n_texts)) {
        int64_t *points = (int64_t *)b[0].buf, *ends = (int64_t *)b[2].buf;
        int32_t *doc = (int32_t *)b[1].buf;
        uint8_t *odd = wanted == 4 ? (uint8_t *)b[3].buf : NULL;
        Py_ssize_t room = b[0].len / 8, at = 0;
        int ok = n_texts < INT32_MAX;
        for (Py_ssize_t t = 0; ok && t < n_texts; t++) {
            PyObject *text = PyList_GET_ITEM(texts, t);
            if (!PyUnicode_CheckExact(text)) {
                ok = 0;
                break;
            }
            PyObject *low = lowercase ? PyObject_CallMethod(text, "lower", NULL) : text;
            if (low == NULL) {
                PyErr_Clear();
                ok = 0;
                break;
            }
            if (lowercase && !PyUnicode_CheckExact(low)) {
                ok = 0;
            }
#if PY_VERSION_HEX < 0x030C0000
            if (ok && PyUnicode_READY(low) < 0) {
                PyErr_Clear();
                ok = 0;
            }
#endif
            if (ok) {
                int kind = PyUnicode_KIND(low);
                const void *data = PyUnicode_DATA(low);
                Py_ssize_t n = PyUnicode_GET_LENGTH(low);
                ok = at + n <= room;
                if (odd != NULL) { /* (prepared to other positions: lowered longer, or squeezed) */
                    odd[t] = n != PyUnicode_GET_LENGTH(text);
                }
                for (Py_ssize_t i = 0; ok && i < n; i++) {
                    Py_UCS4 c = PyUnicode_READ(kind, data, i);
                    if (Py_UNICODE_ISSPACE(c) && i + 1 < n &&
                        Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 1))) {
                        c = ' '; /* a run of two or more: one space */
                        if (odd != NULL) {
                            odd[t] = 1;
                        }
                        while (i + 1 < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 1))) {
                            i++;
                        }
                    }
                    points[at] = (int64_t)c + 1;
                    doc[at++] = (int32_t)t;
                }
                ends[t] = at;
            }
            if (lowercase) {
                Py_DECREF(low);
            }
        }
        if (ok) {
            out = PyLong_FromSsize_t(at);
        }
    }
    if (out == Py_None) {
        Py_INCREF(out);
    }
    for (int k = 0; k < taken; k++) {
        PyBuffer_Release(&b[k]);
    }
    return out;
}

/* top_pairs: `service.reading.WordBatch.top` (whose numpy passes define the values) in one pass:
 * per reading (pairs come reading by reading: `pair_doc` ascending), its at most k pairs of
 * highest score > 0, ties to the earlier pair, kept in a small sorted run; written reading by
 * reading, best first, to `out`. Returns how many, or None for anything it does not take. */
#define MAX_TOP 64

static PyObject *top_pairs(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4 || !PyLong_Check(args[2])) {
        Py_RETURN_NONE;
    }
    long k = PyLong_AsLong(args[2]);
    if (k < 1 || k > MAX_TOP) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    Py_buffer b[3];
    int taken = 0;
    for (int j = 0; j < 3; j++) {
        if (!buffer_of(args[j < 2 ? j : 3], &b[j], 8, j == 2)) {
            break;
        }
        taken++;
    }
    PyObject *out = Py_None;
    Py_ssize_t n = taken == 3 ? b[0].len / 8 : -1;
    if (taken == 3 && b[1].len / 8 == n && b[2].len / 8 >= n) {
        const double *score = (const double *)b[0].buf;
        const int64_t *doc = (const int64_t *)b[1].buf;
        int64_t *chosen = (int64_t *)b[2].buf;
        int64_t best[MAX_TOP];
        Py_ssize_t written = 0;
        int held = 0, ok = 1;
        for (Py_ssize_t p = 0; p <= n; p++) {
            if (p == n || (p > 0 && doc[p] != doc[p - 1])) { /* a reading ends: its best out */
                for (int j = 0; j < held; j++) {
                    chosen[written++] = best[j];
                }
                held = 0;
                if (p == n) {
                    break;
                }
            }
            if (p > 0 && doc[p] < doc[p - 1]) {
                ok = 0;
                break;
            }
            double s = score[p];
            if (!(s > 0) || (held == k && !(s > score[best[held - 1]]))) {
                continue; /* (an equal score: the earlier pair keeps its rank) */
            }
            int j = held < k ? held++ : held - 1;
            while (j > 0 && s > score[best[j - 1]]) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = p;
        }
        if (ok) {
            out = PyLong_FromSsize_t(written);
        }
    }
    if (out == Py_None) {
        Py_INCREF(out);
    }
    for (int j = 0; j < taken; j++) {
        PyBuffer_Release(&b[j]);
    }
    return out;
}

static PyMethodDef methods[] = {
    {"counts", (PyCFunction)(void (*)(void))counts, METH_FASTCALL,
     "counts(before, after, head): distinct CJK pairs of each, and those `after` shares with "
     "the others; None where the caller's numpy pass must answer"},
    {"form_hits", (PyCFunction)(void (*)(void))form_hits, METH_FASTCALL,
     "form_hits(line, keys): the slots of the line's grams the form models weigh, or None"},
    {"ngram_hits", (PyCFunction)(void (*)(void))ngram_hits, METH_FASTCALL,
     "ngram_hits(points, doc, n, table, columns, starts): how many known n-grams it wrote, or "
     "None"},
    {"value_rows", (PyCFunction)(void (*)(void))value_rows, METH_FASTCALL,
     "value_rows(columns, owners, indptr, docs, counts, entry): how many values, or None"},
    {"word_ids", (PyCFunction)(void (*)(void))word_ids, METH_FASTCALL,
     "word_ids(points, starts, sizes, keys, numbers, keys4, numbers4, ids): True once filled, "
     "or None"},
    {"pair_numbers", (PyCFunction)(void (*)(void))pair_numbers, METH_FASTCALL,
     "pair_numbers(doc, ids, names, pair, first): how many pairs, or None"},
    {"prepared", (PyCFunction)(void (*)(void))prepared, METH_FASTCALL,
     "prepared(texts, lowercase, points, doc, ends[, odd]): how many code points, or None"},
    {"top_pairs", (PyCFunction)(void (*)(void))top_pairs, METH_FASTCALL,
     "top_pairs(score, pair_doc, k, out): how many pairs written, or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernels", NULL, -1, methods};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
