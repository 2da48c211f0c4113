"""Feature matrix, clustering, projection and cluster naming: pure functions, no I/O."""
