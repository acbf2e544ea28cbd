#!/usr/bin/env python3
"""The example migration (adapters/migration-example/adapter.py) with one mistake: MODE is one of
its --mode values ("none" for none). The mutation test (tests/conformance/mutants.json) runs it."""
import runpy
import sys
from pathlib import Path

mode = sys.argv[1] if len(sys.argv) > 1 else "none"
sys.argv = [sys.argv[0], "--mode", mode]
runpy.run_path(str(Path(__file__).resolve().parents[2] / "adapters" / "migration-example" / "adapter.py"),
               run_name="__main__")
