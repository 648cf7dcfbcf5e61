"""Rights' domain: trademarks, copyrights and patents, their materials and checks. No I/O here."""
