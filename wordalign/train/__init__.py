"""Training: fine-tuning the encoder on parallel text, supervised span prediction, dev tuning.

Inference (``io``, ``encoding``, ``extractors``, ``align``) never imports from here.
"""
