"""The notifier: emails codes, verdicts, rejected identities and rights and expiring rights, from an
address book built from events; a development mailbox page shows the embedded SMTP sink's mail."""
