"""The storage contract: every backend behind the same ports, tested alike."""
