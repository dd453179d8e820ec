"""Built-in evaluation metrics for fmcore (``fmcore eval``)."""
