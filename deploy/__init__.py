"""Local provisioning without Docker: the infrastructure stacks, the SMTP sink and
the service launcher.

`deploy.stack` (Stack, CLI up/down/env), `deploy.processes` (ServiceProcess), `deploy.smtp_sink`
(SmtpSink), `deploy.tansu` (TansuBroker), `deploy.run` (what `make run` runs).
"""
