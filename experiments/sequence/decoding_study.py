r"""Decoding study: output length vs beam width and length penalty (G2P), repetition under greedy (GPT).

  python -m experiments.sequence.decoding_study --g2p_workdir=runs/cmudict_transformer \
      --gpt_workdir=runs/shakespeare_gpt --out=runs/decoding_study

1. G2P (a trained configs/sequence/cmudict_transformer.py or cmudict_lstm_attn.py run): decode the
   test words with beam widths 1, 2, 5, 10 under each score: 'sum' (log-probability: favours short
   outputs as the beam widens), 'average' (s/m), 'gnmt' ((5+m)/6)^0.6 and the word reward
   s + gamma m; record WER, PER and mean output length / mean reference length.
2. GPT (a trained configs/language/shakespeare_gpt.py run): 400 characters from the same prompt by
   greedy decoding, and by sampling at temperatures 0.5 / 0.8 / 1.0 (top-k 0); repetition = the
   fraction of 4-grams of the continuation that already occurred earlier in it (greedy loops).
Outputs <out>/decoding.json and docs/sequence/decoding_beam.png, docs/plots/decoding_repetition.png.
"""
import json
import os

from absl import app, flags
import numpy as np


SCORES = {'sum': dict(length_penalty='sum'), 'average': dict(length_penalty='average'),
          'gnmt': dict(length_penalty='gnmt', alpha=0.6),
          'word_reward': dict(length_penalty='sum', word_reward=0.5)}


def load_config(spec: str):
  import importlib.util  # pylint: disable=g-import-not-at-top
  path, preset = spec.rsplit(':', 1)
  module_spec = importlib.util.spec_from_file_location('config_module', path)
  module = importlib.util.module_from_spec(module_spec)
  module_spec.loader.exec_module(module)
  return module.get_config(preset)


def repetition(ids, n: int = 4) -> float:
  """Fraction of the n-grams of `ids` that occurred earlier in `ids`."""
  seen, repeated, grams = set(), 0, [tuple(ids[i:i + n]) for i in range(len(ids) - n + 1)]
  for g in grams:
    repeated += g in seen
    seen.add(g)
  return repeated / max(len(grams), 1)


def g2p_part(results):
  import jax  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  config = load_config(_G2P_CONFIG.value)
  config.data.test_limit = _TEST_LIMIT.value
  run, state = loop.load_trained(config, _G2P.value)
  task, arrays = run.task, run.data['test']
  out = {}
  for name, score in SCORES.items():
    for beam in map(int, _BEAMS.value):
      task.beam, task.length_penalty = beam, score['length_penalty']
      task.alpha, task.word_reward = score.get('alpha', 0.6), score.get('word_reward', 0.0)
      metrics = loop.evaluate(run, state, arrays)   # beam 1: greedy
      out[f'{name}/beam{beam}'] = {
          'wer': metrics['test/wer'], 'per': metrics['test/per'],
          'length_ratio': metrics['test/mean_length'] / metrics['test/ref_length']}
      print(name, beam, out[f'{name}/beam{beam}'])
    jax.clear_caches()
  results['g2p'] = out


def gpt_part(results):
  import jax  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  config = load_config(_GPT_CONFIG.value)
  run, state = loop.load_trained(config, _GPT.value)
  vocab, task = run.data['vocab'], run.task
  variables = state.nets['model'].variables()
  prompt = vocab.encode('ROMEO:\n')
  out = {}
  settings = {'greedy': dict(temperature=1e-4), 'T=0.5': dict(temperature=0.5),
              'T=0.8': dict(temperature=0.8), 'T=1.0': dict(temperature=1.0)}
  for name, kw in settings.items():
    ids = np.asarray(task.sample(variables, prompt, 400, jax.random.PRNGKey(0), num=4, **kw))
    out[name] = {'repetition_4gram': float(np.mean([repetition(list(r)) for r in ids])),
                 'example': vocab.decode(ids[0][:200])}
    print(name, out[name]['repetition_4gram'])
  results['gpt'] = out


def plot(results):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  os.makedirs(_PLOTS.value, exist_ok=True)
  if 'g2p' in results:
    beams = list(map(int, _BEAMS.value))
    viz.multi_curves({name: (beams, [results['g2p'][f'{name}/beam{b}']['length_ratio']
                                     for b in beams]) for name in SCORES},
                     ylabel='mean output length / reference length',
                     path=os.path.join(_PLOTS.value, 'decoding_beam.png'), xlabel='beam width',
                     title='G2P: output length vs beam width',
                     bars={name: results['g2p'][f'{name}/beam{beams[-1]}']['wer'] for name in SCORES},
                     bars_label=f'WER at beam {beams[-1]}')
  if 'gpt' in results:
    names = list(results['gpt'])
    viz.multi_curves({'repetition': (list(range(len(names))),
                                     [results['gpt'][n]['repetition_4gram'] for n in names])},
                     ylabel='repeated 4-grams (fraction)',
                     path=os.path.join(_PLOTS.value, 'decoding_repetition.png'),
                     xlabel=' / '.join(f'{i}: {n}' for i, n in enumerate(names)),
                     title='GPT: repetition, greedy vs sampling')


def main(argv):
  del argv
  results = {}
  if _G2P.value:
    g2p_part(results)
  if _GPT.value:
    gpt_part(results)
  os.makedirs(_OUT.value, exist_ok=True)
  with open(os.path.join(_OUT.value, 'decoding.json'), 'w') as f:
    json.dump(results, f, indent=2)
  plot(results)


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _G2P = flags.DEFINE_string('g2p_workdir', None, 'A trained seq2seq (cmudict) run.')
  _G2P_CONFIG = flags.DEFINE_string('g2p_config', 'configs/sequence/cmudict_transformer.py:cpu',
                                    'Its config (path:preset).')
  _GPT = flags.DEFINE_string('gpt_workdir', None, 'A trained shakespeare_gpt run.')
  _GPT_CONFIG = flags.DEFINE_string('gpt_config', 'configs/language/shakespeare_gpt.py:cpu',
                                    'Its config (path:preset).')
  _OUT = flags.DEFINE_string('out', None, 'Where the JSON goes.')
  _TEST_LIMIT = flags.DEFINE_integer('test_limit', 1000, 'Test words decoded per setting.')
  _BEAMS = flags.DEFINE_list('beams', ['1', '2', '5', '10'], 'Beam widths.')
  _PLOTS = flags.DEFINE_string('plots', 'docs/plots', 'Folder of the plots.')
  flags.mark_flag_as_required('out')
  app.run(main)
