"""Bulk imports: a file streamed in, parsed row by row, accepted in batches, with progress."""
