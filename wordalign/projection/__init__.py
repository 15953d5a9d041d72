"""Annotation projection: labels of source sentences carried to their translations through word links."""
