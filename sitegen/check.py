"""The output checker (not written yet)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    raise SystemExit("sitegen check is not implemented yet")
