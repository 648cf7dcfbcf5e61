"""Identity's domain: accounts, personal documents and their checks. No I/O here."""
