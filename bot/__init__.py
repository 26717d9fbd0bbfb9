"""Plenary: a Slack app that runs live meetings of bodies that decide by consensus."""
