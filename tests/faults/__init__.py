"""The fault-injection tier: the whole platform under steady load while its parts fail."""
