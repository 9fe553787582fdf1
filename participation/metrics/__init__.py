"""Transparency: public quality figures kept in summary tables by a consumer of the outbox."""
