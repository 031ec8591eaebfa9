"""Checkers for the code students write in the notebooks, with diagnoses (being written)."""
