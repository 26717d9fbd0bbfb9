"""The load and scale benchmark of issue 6: ``python -m bench`` (``make bench``)."""
