"""The lab: a page in the browser where a room types sentences and sees the attention live.

- `seq2seq.lab.server`: ``serve`` loads the runs once and serves them on uvicorn
  (``python -m seq2seq serve``).
- `seq2seq.lab.app`: ``create_app``, the FastAPI application: the page, its
  files and the JSON API.
- `seq2seq.lab.batching`: ``Batcher``, which decodes the sentences of many
  clients together.
- `seq2seq.lab.limits`: what one request may ask, and the headers every answer gets.
- ``static/``: the page, which draws the heatmaps itself from the weights with
  viz's colour map, and asks the server for the pictures `viz` draws.

Nothing is imported here, so the command line's ``--help`` does not load the web stack.
"""
