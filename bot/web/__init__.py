"""The web layer: the room's screen and the public record, served by ``serve`` beside Slack's
endpoint. Nothing imports it but the composition root."""
