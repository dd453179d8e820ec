"""Built-in probability paths for fmcore."""
