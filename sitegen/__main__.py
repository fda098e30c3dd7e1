"""Allow `python -m sitegen`."""

from sitegen.launch import run

run()
