"""graphkit's benchmarks: ``python -m benchmarks --help``."""
