"""``python -m seq2seq COMMAND``: see `seq2seq.cli.main`."""

from seq2seq.cli import exit_now, main

# Guarded: the processes that draw pictures import this module again.
if __name__ == "__main__":
    exit_now(main())
