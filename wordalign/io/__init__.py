"""Reading and writing: parallel text, word splitting, Pharaoh links, manifests, resumable output.

Nothing here loads a model; every other room may import from here.
"""
