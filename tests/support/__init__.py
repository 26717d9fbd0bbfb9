"""What many tests share: the Kasane cast, the answers they expect, reading the SQLite file."""
