"""Limits of list endpoints."""

# The largest offset a list accepts: beyond any real list, and far inside the 64-bit
# integers databases take for OFFSET (SQLite fails past them).
MAX_OFFSET = 1_000_000_000
