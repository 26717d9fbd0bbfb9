"""What services need from the outside world, as protocols: storage and the clock."""
