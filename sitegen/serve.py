"""The dev server (not written yet)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    raise SystemExit("sitegen serve is not implemented yet")
