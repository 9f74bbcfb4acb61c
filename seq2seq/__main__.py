"""``python -m seq2seq COMMAND``: see `seq2seq.cli.main`."""

from seq2seq.cli import exit_now, main

exit_now(main())
