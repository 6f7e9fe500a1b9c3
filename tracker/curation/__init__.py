"""Curated content: the YAML files under fixtures/ and the loader that upserts them."""
