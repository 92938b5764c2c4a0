r"""Decoding: output length vs beam width and length penalty (G2P), repetition under greedy (GPT).

  python -m experiments.study sequence/decoding_study --workdir=runs/decoding_study [--preset=cpu] [--publish]

Trains configs/sequence/cmudict_transformer.py ('g2p') and configs/language/shakespeare_gpt.py
('gpt') at the preset, then report() measures the two trained models:
1. G2P: decode the first 1000 test words with beam widths 1, 2, 5, 10 (smoke: 1, 2) under each
   score: 'sum' (log-probability: favours short outputs as the beam widens), 'average' (s/m),
   'gnmt' ((5+m)/6)^0.6 and the word reward s + gamma m; WER, PER and mean output length / mean
   reference length -> decoding_beam.png.
2. GPT: config.sample_length (cpu: 400) characters after 'ROMEO:\n' by greedy decoding and by
   sampling at temperatures 0.5 / 0.8 / 1.0 (top-k 0); repetition = the fraction of 4-grams of the
   continuation that already occurred earlier in it (greedy loops) -> decoding_repetition.png.
Expected (cpu preset, 2-core CPU, ~1 h 10 min, nearly all of it training the G2P transformer): WER
40.7 % at beam 1, 39.8 / 39.7 / 39.7 % at beam 2 / 5 / 10 ('sum'); length ratio 0.993-0.998 for
every score; 80 % of the greedy GPT's 4-grams are repeats, 20 / 12 / 6 % when sampling at T = 0.5 /
0.8 / 1.0. Discussion: docs/sequence/notes.md.
"""
from configs.language import shakespeare_gpt
from configs.sequence import cmudict_transformer
from dljax import viz

SCORES = {'sum': dict(length_penalty='sum'), 'average': dict(length_penalty='average'),
          'gnmt': dict(length_penalty='gnmt', alpha=0.6),
          'word_reward': dict(length_penalty='sum', word_reward=0.5)}
BEAMS = {'smoke': (1, 2), 'cpu': (1, 2, 5, 10), 'full': (1, 2, 5, 10)}
TEST_WORDS = 1000   # test words decoded per setting
SETTINGS = {'greedy': dict(temperature=1e-4), 'T=0.5': dict(temperature=0.5),
            'T=0.8': dict(temperature=0.8), 'T=1.0': dict(temperature=1.0)}
PROMPT = 'ROMEO:\n'


def runs(preset: str, workdir: str):
  del workdir
  yield 'g2p', cmudict_transformer.get_config(preset)
  yield 'gpt', shakespeare_gpt.get_config(preset)


def repetition(ids, n: int = 4) -> float:
  """Fraction of the n-grams of `ids` that occurred earlier in `ids`."""
  seen, repeated, grams = set(), 0, [tuple(ids[i:i + n]) for i in range(len(ids) - n + 1)]
  for g in grams:
    repeated += g in seen
    seen.add(g)
  return repeated / max(len(grams), 1)


def g2p_part(workdir: str) -> dict:
  """{'<score>/beam<k>': {'wer', 'per', 'length_ratio'}} of the trained G2P run in `workdir`."""
  import jax  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  run = loop.load_run(workdir)
  arrays = {k: v[:TEST_WORDS] for k, v in run.data['test'].items()}
  out, greedy = {}, None
  for name, score in SCORES.items():
    for beam in BEAMS[run.config.preset]:
      if beam == 1 and greedy is not None:
        metrics = greedy   # greedy decoding ignores the score
      else:
        run.task.beam, run.task.length_penalty = beam, score['length_penalty']
        run.task.alpha, run.task.word_reward = score.get('alpha', 0.6), score.get('word_reward', 0.0)
        metrics = run.evaluate(arrays)
        greedy = metrics if beam == 1 else greedy
      out[f'{name}/beam{beam}'] = {
          'wer': metrics['test/wer'], 'per': metrics['test/per'],
          'length_ratio': metrics['test/mean_length'] / metrics['test/ref_length']}
    jax.clear_caches()
  return out


def gpt_part(workdir: str) -> dict:
  """{setting: {'repetition_4gram', 'example'}} of samples of the trained GPT run in `workdir`."""
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  run = loop.load_run(workdir)
  vocab, task = run.data['vocab'], run.task
  variables = run.state.nets['model'].variables()
  length = int(run.config.get('sample_length', 400))
  out = {}
  for name, kw in SETTINGS.items():
    ids = np.asarray(task.generate(variables, vocab.encode(PROMPT), length, jax.random.PRNGKey(0),
                                   num=4, **kw))
    out[name] = {'repetition_4gram': float(np.mean([repetition(list(r)) for r in ids])),
                 'example': vocab.decode(ids[0][:200])}
  return out


def report(summaries: dict, out: str) -> dict:
  results = {'g2p': g2p_part(summaries['g2p']['workdir']),
             'gpt': gpt_part(summaries['gpt']['workdir'])}
  beams = sorted({int(k.rpartition('beam')[2]) for k in results['g2p']})
  viz.multi_curves({name: (beams, [results['g2p'][f'{name}/beam{b}']['length_ratio']
                                   for b in beams]) for name in SCORES},
                   ylabel='mean output length / reference length',
                   path=f'{out}/decoding_beam.png', xlabel='beam width',
                   title='G2P: output length vs beam width',
                   bars={name: results['g2p'][f'{name}/beam{beams[-1]}']['wer'] for name in SCORES},
                   bars_label=f'WER at beam {beams[-1]}')
  names = list(results['gpt'])
  viz.multi_curves({'repetition': (list(range(len(names))),
                                   [results['gpt'][n]['repetition_4gram'] for n in names])},
                   ylabel='repeated 4-grams (fraction)', path=f'{out}/decoding_repetition.png',
                   xlabel=' / '.join(f'{i}: {n}' for i, n in enumerate(names)),
                   title='GPT: repetition, greedy vs sampling')
  return results
