"""sklr's benchmark suite (``python -m benchmarks``)."""
