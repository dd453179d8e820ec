"""Built-in couplings of data and noise for fmcore's training objectives."""
