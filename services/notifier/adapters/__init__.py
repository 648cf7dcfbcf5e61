"""The notifier's I/O: the notifications read model, email templates, SMTP and
the outbox mapping."""
