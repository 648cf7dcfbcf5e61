"""Complaints' domain: targets, the complaint process manager and its verdict rules. No I/O here."""
