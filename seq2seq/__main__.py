"""``python -m seq2seq COMMAND``: see `seq2seq.cli.main`."""

from seq2seq import quiet

quiet.install()  # before anything imports TensorFlow

from seq2seq.cli import exit_now, main  # noqa: E402

# Guarded: the processes that draw pictures import this module again.
if __name__ == "__main__":
    exit_now(main())
