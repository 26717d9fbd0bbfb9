"""Slack listeners, one module per feature; each parses, calls one service, renders, answers."""
