"""Code every IPP service shares: the public event contract and the service kit."""
