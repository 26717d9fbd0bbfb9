"""Integration tests: the real SQLite store on a file in tmp_path."""
