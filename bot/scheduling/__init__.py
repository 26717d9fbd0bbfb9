"""The scheduler: APScheduler wake-ups for due work; the only package importing it."""
