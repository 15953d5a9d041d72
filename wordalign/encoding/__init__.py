"""From words to contextual word vectors: models, tokenization, pooling, device and precision."""
