"""Notifications by email: when each may go (quiet hours, digests), how it reads (per-kind
templates in the recipient's language), the sender that claims and sends due deliveries,
and the signed one-click links that turn a category off."""
