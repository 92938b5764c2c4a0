r"""In-context learning: accuracy against the number of examples in the prompt, per task family.

  python -m experiments.language.icl_study --workdir=runs/icl_study [--preset=cpu|smoke]

Trains configs/language/icl.py (one GPT on the mixture of the mapping, linear and offset families;
a finished run is read back, not re-trained) and plots, per family, the held-out accuracy of the
answer after k examples (k = data.eval_shots) next to two baselines computed on the same test
sequences: chance 1/p, which is also the best any predictor can do without context (every answer
is uniform over the symbols a priori), and the Bayes-optimal in-context learner (dljax.data.icl.
bayes_accuracy: the posterior's most likely answer given the k examples and the family). Outputs
<workdir>/icl_shots.json, docs/language/icl_shots.png and docs/plots/icl_shots.json.
"""
import os

from absl import app, flags
import numpy as np

FLAGS = flags.FLAGS


def define_flags():
  """Called only when run as a script, so that tests can import this module next to other studies."""
  flags.DEFINE_string('workdir', None, 'Where the run and the JSON go.')
  flags.DEFINE_enum('preset', 'cpu', ['cpu', 'smoke'], 'smoke: a few steps, a wiring check.')
  flags.DEFINE_string('plot', 'docs/language/icl_shots.png', 'The plot to write (+ .json).')
  flags.mark_flag_as_required('workdir')


def shot_table(config, final: dict) -> dict:
  """{family: {'k', 'model', 'bayes', 'chance'}} from a run's final metrics and its test set."""
  from dljax.data import icl  # pylint: disable=g-import-not-at-top
  d = config.data
  test = icl.eval_set(d.eval_per_family, config.seed, tuple(d.families), d.num_symbols, d.num_pairs)
  bayes = icl.bayes_accuracy(test, d.num_symbols)
  ks = [int(k) for k in d.eval_shots]
  table = {}
  for name in d.families:
    rows = test['family'] == icl.FAMILIES.index(name)
    table[name] = {'k': ks, 'model': [final[f'test/{name}/accuracy_k{k}'] for k in ks],
                   'bayes': [float(bayes[rows, k].mean()) for k in ks],
                   'chance': 1.0 / d.num_symbols}
  return table


def plot(table: dict, num_symbols: int, path: str, title: str) -> str:
  from dljax.train.tasks.icl import shot_plot  # pylint: disable=g-import-not-at-top
  curves = {name: (np.array(t['k']), np.array(t['model']), np.array(t['bayes']))
            for name, t in table.items()}
  return shot_plot(curves, num_symbols, path, title=title)


def main(argv):
  del argv
  from configs.language import icl as icl_config  # pylint: disable=g-import-not-at-top
  from experiments import study_utils  # pylint: disable=g-import-not-at-top
  config = icl_config.get_config(FLAGS.preset)
  summary = study_utils.run(config, os.path.join(FLAGS.workdir, 'icl'), overwrite=False)
  table = shot_table(config, summary['final'])
  out = {'preset': FLAGS.preset, 'steps': summary['steps'], 'wall_s': summary['wall_s'],
         'num_symbols': config.data.num_symbols, 'families': table}
  study_utils.write_json(out, os.path.join(FLAGS.workdir, 'icl_shots.json'))
  study_utils.write_json(out, os.path.splitext(FLAGS.plot)[0] + '.json')
  plot(table, config.data.num_symbols, FLAGS.plot,
       title=f'in-context learning, GPT {config.model.num_layers}x{config.model.d_model} '
             f'({summary["steps"]} steps, p={config.data.num_symbols})')
  for name, t in table.items():
    print(name, ' '.join(f'k={k}: {m:.3f} (Bayes {b:.3f})'
                         for k, m, b in zip(t['k'], t['model'], t['bayes'])))


if __name__ == '__main__':
  define_flags()
  app.run(main)
