"""The council's side of mandates: its review queue and the service promise's clock."""
