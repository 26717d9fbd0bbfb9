"""Plenary test suite."""
