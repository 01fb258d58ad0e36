"""globeval: measure and improve large language models across the world's languages."""

__version__ = "0.1.0"
