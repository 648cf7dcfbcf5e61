"""The service kit: what every IPP service needs the same way (settings, outbox,
inbox, HTTP, auth)."""
