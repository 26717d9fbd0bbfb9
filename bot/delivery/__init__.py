"""Delivery to Slack: the notice outbox posted and edited in place, Home views published."""
