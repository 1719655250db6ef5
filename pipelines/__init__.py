"""Item pipelines: extract, then store."""
