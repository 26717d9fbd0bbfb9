"""End-to-end: the real app over HTTP against the local Slack stand-in."""
