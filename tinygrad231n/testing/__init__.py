"""Testing helpers users can import for their own ops: hypothesis strategies (needs hypothesis)."""
