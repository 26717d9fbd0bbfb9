"""Tests of what only the PostgreSQL backend has: migrating under its advisory lock."""
