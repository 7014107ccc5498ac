/* The bigram counts of `service.cohesion.split_overlap` in one pass, as an optional extension.
 *
 * The head score asks, for each bare head, how many distinct CJK character pairs the window
 * above it, the window below it and the head hold, and how many the window below shares with
 * each of the others. Its numpy pass costs ~17 array calls a head, and in the running splitter
 * (cache-cold) that was ~18% of a bare page's time: here each pair goes into a small hash table
 * tagged by the texts holding it, and the table is counted once. `counts(before, after, head)`
 * gives (|before|, |after|, |head|, |before & after|, |after & head|), or None for anything it
 * does not take (a text not a str, texts longer than the table's room): the caller then makes
 * its numpy pass, which defines the values (tests read both on the same texts).
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

static PyMethodDef methods[] = {
    {"counts", (PyCFunction)(void (*)(void))counts, METH_FASTCALL,
     "counts(before, after, head): distinct CJK pairs of each, and those `after` shares with "
     "the others; None where the caller's numpy pass must answer"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_overlap", NULL, -1, methods};

PyMODINIT_FUNC PyInit__overlap(void) { return PyModule_Create(&module); }
