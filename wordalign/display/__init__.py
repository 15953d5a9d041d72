"""Alignments as pictures: a terminal grid, a self-contained HTML report, a heatmap."""
