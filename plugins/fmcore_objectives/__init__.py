"""Built-in training objectives for fmcore."""
