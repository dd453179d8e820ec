"""Built-in integrators for fmcore."""
