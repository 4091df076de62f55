"""Signed electronic results: PAdES signatures made in the system or verified on upload, the
result code, and public verification (issue 12)."""
