"""``python -m viz draw RECORDS.jsonl --to png,svg,gif,html --out DIR``: see `viz.draw`."""

import sys

from viz.draw import main

if __name__ == "__main__":
    sys.exit(main())
