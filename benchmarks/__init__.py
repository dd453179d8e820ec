"""Speed and quality studies (not part of the test suite). Run each as ``python -m benchmarks.<name>``."""
