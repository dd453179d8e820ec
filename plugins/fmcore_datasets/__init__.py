"""Built-in data sets for fmcore."""
