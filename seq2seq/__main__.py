"""``python -m seq2seq COMMAND``: see `seq2seq.cli.main`."""

import sys

from seq2seq.cli import main

sys.exit(main())
