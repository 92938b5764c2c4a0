r"""The fixed-size bottleneck of an encoder-decoder: exact-match accuracy vs source length, with and
without attention (configs/sequence/reverse_attention.py, model.attention = none / additive).

  python -m experiments.study sequence/seq2seq_bottleneck --workdir=runs/bottleneck [--preset=cpu] [--publish]

report() decodes test sets of every single length L = 1..max_len (PER_LENGTH sequences each, drawn
with the test split's seed, so unseen in training; smoke: L = 1 and max_len only) with both trained
models and plots exact-match accuracy (1 - test/wer) against L -> seq2seq_bottleneck.png. Without
attention the decoder must rebuild the sequence from one state vector: accuracy falls with length.
Expected (cpu preset, 2-core CPU, ~7 min): without attention 100 % up to L = 6, 93.5 % at 10, 57 %
at 15, 12 % at 20, 2 % at 24; with attention 100 % at every L = 1..24. Discussion:
docs/sequence/notes.md.
"""
from configs.sequence import reverse_attention
from dljax import viz

ATTENTIONS = ('none', 'additive')
PER_LENGTH = {'smoke': 16, 'cpu': 200, 'full': 200}   # test sequences of each length


def runs(preset: str, workdir: str):
  del workdir
  for attention in ATTENTIONS:
    config = reverse_attention.get_config(preset)
    config.model.attention = attention
    yield attention, config


def length_test_set(config, length: int, size: int) -> dict:
  """`size` test sequences of exactly `length` symbols (the run's test distribution otherwise)."""
  from dljax.train import tasks  # pylint: disable=g-import-not-at-top
  probe = config.copy_and_resolve_references()
  probe.data.test_args = dict(min_len=length, max_len=length)
  probe.data.test_size = size
  probe.data.train_size = 1
  return tasks.TASKS[probe.task].load_data(probe)['test']


def report(summaries: dict, out: str) -> dict:
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  table = {}
  for attention in ATTENTIONS:
    run = loop.load_run(summaries[attention]['workdir'])
    preset, max_len = run.config.preset, run.config.data.args.max_len
    lengths = (1, max_len) if preset == 'smoke' else range(1, max_len + 1)  # smoke: a wiring check
    table[attention] = {
        length: 1.0 - run.evaluate(length_test_set(run.config, length, PER_LENGTH[preset]))[
            'test/wer'] for length in lengths}
  viz.multi_curves({f'attention={a}': (list(r), list(r.values())) for a, r in table.items()},
                   ylabel='exact-match accuracy', path=f'{out}/seq2seq_bottleneck.png',
                   xlabel='source length L', title='reverse: accuracy vs length')
  return table
