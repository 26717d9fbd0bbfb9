"""Bad input through every door, a module per door: commands, forms, buttons, limits."""
