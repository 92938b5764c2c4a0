r"""Character-level LSTM language model on Shakespeare's complete works (char-rnn).

  python -m experiments.train --config=configs/sequence/shakespeare_lstm.py:cpu --workdir=runs/shakespeare_lstm

Same data, metric, batch, context and optimizer as configs/sequence/shakespeare_gpt.py (validation
loss in nats per character on fixed validation windows), a 2-layer LSTM of 256 units instead of
the Transformer; the issue asks for its validation loss next to the GPT's at equal wall time
(compare the two runs' metrics.jsonl against wall time, or run both for the same minutes).
MEASURED: not yet measured.
"""
import ml_collections

from configs.sequence import shakespeare_gpt


def get_config(preset: str = 'cpu'):
  config = shakespeare_gpt.get_config(preset)
  config.name = 'shakespeare_lstm'
  config.model = ml_collections.ConfigDict(dict(
      name='rnn_lm', vocab_size=84, cell='lstm',
      embed={'smoke': 8, 'cpu': 64, 'full': 128}[preset],
      hidden={'smoke': 16, 'cpu': 256, 'full': 512}[preset],
      layers={'smoke': 1, 'cpu': 2, 'full': 3}[preset],
      dropout=0.2 if preset == 'full' else 0.0))
  config.optim.weight_decay = 0.0
  return config
