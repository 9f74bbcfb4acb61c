"""Train the reference model: ``python train.py --help`` lists every setting."""

from seq2seq import quiet

quiet.install()  # before anything imports TensorFlow

from seq2seq.cli import exit_now, train_main  # noqa: E402

if __name__ == "__main__":
    exit_now(train_main())
