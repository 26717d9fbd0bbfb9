"""Heavier fault runs: `make soak`, not part of `make test`."""
