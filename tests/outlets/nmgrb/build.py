"""Build the 内蒙古日报 (nmgrb) mock from paper.toml: see ../epaper_build.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from epaper_build import main

if __name__ == "__main__":
    main([Path(__file__).resolve().parent.name, *sys.argv[1:]])
