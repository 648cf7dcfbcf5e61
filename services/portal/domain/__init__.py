"""The portal's domain: its words in Simplified Chinese and English. No I/O here."""
