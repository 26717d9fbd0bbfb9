"""Use cases: load state through the ports, apply a domain rule, save with the notices owed."""
