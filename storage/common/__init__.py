"""What every storage backend shares: turning rows into the records services use."""
