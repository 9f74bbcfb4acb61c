"""Train the reference model: ``python train.py --help`` lists every setting."""

import sys

from seq2seq.cli import train_main

if __name__ == "__main__":
    sys.exit(train_main())
