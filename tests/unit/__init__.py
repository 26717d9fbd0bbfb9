"""Unit tests: pure code, milliseconds each."""
