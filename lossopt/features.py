"""Image features for notebook 09 (being written)."""
