"""The domain: pure rules, records and text of consensus meetings; standard library only."""
