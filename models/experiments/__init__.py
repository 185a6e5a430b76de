"""Reproducible experiments whose results decided what the shipped model does (not imported)."""
