"""Alignment: one config, the scorers that fill a word × word matrix, the aligner, the file pipeline."""
