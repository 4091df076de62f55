"""Fees collected and payments that prove themselves (issue 11)."""
