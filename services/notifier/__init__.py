"""The notifier: emails verification codes and complaint verdicts, from an address book built from events."""
