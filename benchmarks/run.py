"""`make bench`: every benchmark, one table each."""

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

for path in sorted(HERE.glob("bench_*.py")):
    print(f"== {path.stem} ==")
    importlib.import_module(path.stem).main()
    print()
