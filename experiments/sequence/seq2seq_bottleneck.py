r"""The fixed-size bottleneck of an encoder-decoder: accuracy vs source length, with and without attention.

  python -m experiments.sequence.seq2seq_bottleneck --workdir=runs/bottleneck [--preset=cpu]

Trains configs/sequence/reverse_attention.py twice (model.attention = none / additive; everything
else equal), then decodes test sets of every single length L = 1..max_len (200 sequences each,
unseen during training) and plots exact-match accuracy against L -> <workdir>/bottleneck.png and
docs/sequence/seq2seq_bottleneck.png; numbers in <workdir>/bottleneck.json. Without attention the
decoder must rebuild the sequence from one state vector, and accuracy falls with length.
"""
import json
import os
import shutil

from absl import app, flags


ATTENTIONS = ('none', 'additive')


def main(argv):
  del argv
  from configs.sequence import reverse_attention  # pylint: disable=g-import-not-at-top
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import loop, tasks  # pylint: disable=g-import-not-at-top
  os.makedirs(_WORKDIR.value, exist_ok=True)
  results = {}
  for attention in ATTENTIONS:
    config = reverse_attention.get_config(_PRESET.value)
    config.model.attention = attention
    workdir = os.path.join(_WORKDIR.value, attention)
    loop.train_and_evaluate(config, workdir, progress=False)
    run, state = loop.load_trained(config, workdir)
    accuracy = {}
    max_len = config.data.args.max_len
    for length in range(1, max_len + 1):
      probe = config.copy_and_resolve_references()
      probe.data.test_args = dict(min_len=length, max_len=length)
      probe.data.test_size = _PER_LENGTH.value
      probe.data.train_size = 1
      arrays = tasks.TASKS[probe.task].load_data(probe)['test']
      accuracy[length] = 1.0 - loop.evaluate(run, state, arrays)['test/wer']
    results[attention] = accuracy
    print(attention, {k: round(v, 3) for k, v in accuracy.items()})
  with open(os.path.join(_WORKDIR.value, 'bottleneck.json'), 'w') as f:
    json.dump(results, f, indent=2)
  path = viz.multi_curves({f'attention={a}': tuple(zip(*sorted(r.items()))) for a, r in results.items()},
                          ylabel='exact-match accuracy',
                          path=os.path.join(_WORKDIR.value, 'bottleneck.png'),
                          xlabel='source length L', title='reverse: accuracy vs length')
  if _DOCS.value:
    os.makedirs('docs/plots', exist_ok=True)
    shutil.copy(path, 'docs/sequence/seq2seq_bottleneck.png')


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Where the two runs, the plot and the JSON go.')
  _PRESET = flags.DEFINE_string('preset', 'cpu', 'Preset of configs/sequence/reverse_attention.py.')
  _PER_LENGTH = flags.DEFINE_integer('per_length', 200, 'Test sequences of each length.')
  _DOCS = flags.DEFINE_bool('docs', True, 'Also copy the plot to docs/plots/.')
  flags.mark_flag_as_required('workdir')
  app.run(main)
