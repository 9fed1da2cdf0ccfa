"""Build (or rebuild) the embedded base encoder: ``python -m model.build_base [--rebuild]``."""

from __future__ import annotations

import argparse
import sys

from model.base_model import ensure_embedded_encoder


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rebuild", action="store_true", help="convert again even if a cached build exists")
    a = ap.parse_args(argv)
    path = ensure_embedded_encoder(rebuild=a.rebuild)
    print(f"embedded base encoder: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
