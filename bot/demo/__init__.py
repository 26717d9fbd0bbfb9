"""The offline demo and its local stand-ins for Slack."""
