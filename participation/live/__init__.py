"""Live updates: a bus of topics every web process listens on, fed by the outbox."""
