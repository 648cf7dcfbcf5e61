"""The notifier's domain: notifications and the address book, free of SMTP, Kafka and SQL."""
