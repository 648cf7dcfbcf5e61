"""IPP's services: identity, rights, complaints, notifier and the web portal."""
