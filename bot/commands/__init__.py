"""The command language: slash-command text and button payloads to typed requests; pure."""
