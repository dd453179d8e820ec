"""Built-in networks for fmcore."""
