"""Built-in prediction targets for fmcore."""
