"""Messages to the outside world (docs/integration.md, ADR 0019): the transactional outbox
(`outbox`), its destinations (the national portal's dossier sync, notifications, webhooks),
and what operators see of them."""
