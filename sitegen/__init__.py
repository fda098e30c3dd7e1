"""sitegen: a static site generator for tagged link-blogs."""

__version__ = "0.1.0"
