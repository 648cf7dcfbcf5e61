"""How the notifier is driven: the inbox handler, the mailer loop and the HTTP routes."""
