r"""Markov / n-gram baselines for the Shakespeare character LMs (seed 002 §1.1, seed 001 §1.8).

  python -m experiments.study sequence/ngram_baselines --workdir=runs/ngram [--preset=cpu] [--publish]

Counts the training split of `shakespeare_char` (the data of configs/language/shakespeare_{gpt,
lstm}.py) into order-n character models, n = 1..8 (dljax.models.ngram), with two smoothings:
interpolated Kneser-Ney (discounts from the count-of-counts, nothing fitted) and add-alpha at the
full order, alpha chosen per order on the validation split from ALPHAS. Per order: the cross-entropy
on a slice of the training split and on the validation split (nats per character; bits = nats /
ln 2). The order with the lowest validation cross-entropy is chosen per smoothing and only then
scored on the test split. The table also carries the neural LMs' validation losses on the same
split for comparison (read from docs/language/results.jsonl where measured, else the configs'
notes), and a sample of the chosen Kneser-Ney model. Plot ngram_baselines.png: train and
validation cross-entropy against n for both smoothings, the neural LMs and hidden Markov models (dljax.models.hmm: K = 16 and 64 states, 25
Baum-Welch steps on 400k characters, 3 EM seeds; K chosen on validation) as lines.

What it shows: the maximum-likelihood counts overfit as n grows (train cross-entropy falls toward 0
while held-out text meets ever more unseen contexts), add-alpha's fix spreads mass uniformly and
collapses at high orders, and interpolation with the lower orders (Kneser-Ney) keeps improving
until the contexts run out. Counting is deterministic: one 'seed' is the whole story (the split is
fixed). Expected (cpu, ~1 minute on 2 cores): docs/sequence/notes.md.
"""
import json
import math
import os

import numpy as np

from configs import common
from configs.language import shakespeare_gpt
from dljax import data
from dljax.models import hmm, ngram
from experiments.tools import study_utils

PRESETS = {'smoke': dict(orders=(1, 2, 3), train_chars=20_000, eval_chars=5_000,
                         sample_chars=40),
           'cpu': dict(orders=(1, 2, 3, 4, 5, 6, 7, 8), train_chars=None, eval_chars=None,
                       sample_chars=400)}
ALPHAS = (1.0, 0.1, 0.01, 0.001)
# HMMs fitted by Baum-Welch on the first HMM['train_chars'] training characters, from 3 seeds
HMM = {'smoke': dict(states=(4,), iters=2, train_chars=20_000, seeds=1),
       'cpu': dict(states=(16, 64), iters=25, train_chars=400_000, seeds=3)}
TRAIN_SLICE = 500_000  # the training cross-entropy is measured on the first 500k characters
REFERENCES = {
    'kneser_ney': common.reference(
        'test/bits_per_char', (1.9, 2.6), unit='',
        source='expectation: character n-gram models with Kneser-Ney smoothing reach about 2 bits '
        'per character on English prose at orders 5-8 (Chen & Goodman 1998 give word-level '
        'numbers; character models of this size sit near 2.0-2.3 bits); Shakespeare\'s archaic '
        'spelling and verse layout make it a little harder'),
}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEURAL = {'shakespeare_lstm': 1.799, 'shakespeare_gpt': 1.589}  # validation nats, configs' notes


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # counting, not training: report() builds the models


def _splits(preset: str):
  cfg = shakespeare_gpt.get_config('cpu').data
  p = PRESETS[preset]
  train = np.asarray(data.load_tokens(cfg, 'train'))
  valid = np.asarray(data.load_tokens(cfg, 'validation'))
  test = np.asarray(data.load_tokens(cfg, 'test'))
  if p['train_chars']:
    train = train[:p['train_chars']]
  if p['eval_chars']:
    valid, test = valid[:p['eval_chars']], test[:p['eval_chars']]
  return train, valid, test, data.token_vocab(cfg)


def _neural_baselines(root: str) -> dict:
  """{config: validation nats} from docs/language/results.jsonl (mean over cpu seeds) where the
  config was measured there, else the number its config's notes record."""
  out = {name: {'validation_nats': v, 'source': 'config notes (one seed)'}
         for name, v in NEURAL.items()}
  path = os.path.join(root, 'docs', 'language', 'results.jsonl')
  if os.path.exists(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    for name in NEURAL:
      vals = [r['final'].get('validation/loss') for r in rows
              if r.get('experiment') == name and r.get('preset') == 'cpu'
              and r.get('final', {}).get('validation/loss') is not None]
      if vals:
        out[name] = {'validation_nats': float(np.mean(vals)),
                     'source': f'docs/language/results.jsonl ({len(vals)} seeds)'}
  return out


def compute(preset: str) -> dict:
  study_utils.check_preset(preset, tuple(PRESETS))
  train, valid, test, vocab = _splits(preset)
  V = len(vocab.symbols)
  train_eval = train[:TRAIN_SLICE]
  table = {'setup': {'train_chars': int(len(train)), 'validation_chars': int(len(valid)),
                     'test_chars': int(len(test)), 'vocab_size': V, 'alphas': list(ALPHAS)},
           'kneser_ney': {}, 'add': {}}
  for n in PRESETS[preset]['orders']:
    kn = ngram.NGram(train, V, n)
    table['kneser_ney'][n] = {'train_nats': kn.cross_entropy(train_eval),
                              'validation_nats': kn.cross_entropy(valid),
                              'discounts': [kn.levels[k].discount for k in range(n)]}
    best = None
    for alpha in ALPHAS:  # alpha chosen on validation
      add = ngram.NGram(train, V, n, smoothing='add', alpha=alpha)
      v = add.cross_entropy(valid)
      if best is None or v < best[1]:
        best = (alpha, v, add)
    table['add'][n] = {'alpha': best[0], 'validation_nats': best[1],
                       'train_nats': best[2].cross_entropy(train_eval)}
  models = {}
  for smoothing in ('kneser_ney', 'add'):
    rows = table[smoothing]
    n = min(rows, key=lambda k: rows[k]['validation_nats'])
    alpha = rows[n].get('alpha', 1.0)
    model = ngram.NGram(train, V, n, smoothing=smoothing, alpha=alpha)
    test_nats = model.cross_entropy(test)
    table[f'chosen_{smoothing}'] = {
        'order': n, 'validation_nats': rows[n]['validation_nats'], 'test_nats': test_nats,
        'test_bits_per_char': test_nats / math.log(2)}
    models[smoothing] = model
  table['hmm'] = fit_hmms(preset, train, valid, test, V)
  prompt = [vocab.symbols.index(c) for c in 'ROMEO:\n']
  sample = models['kneser_ney'].sample(prompt, PRESETS[preset]['sample_chars'], seed=0)
  table['sample'] = 'ROMEO:\n' + ''.join(vocab.symbols[t] for t in sample)
  table['neural'] = _neural_baselines(ROOT)
  return table


def fit_hmms(preset: str, train, valid, test, V: int) -> dict:
  """{K: {validation_nats (mean, std over EM seeds), train_nats, curve}, 'chosen': K with the
  lowest mean validation cross-entropy and its test cross-entropy}."""
  import jax  # pylint: disable=g-import-not-at-top
  cfg = HMM[preset]
  out = {}
  for K in cfg['states']:
    vals, trains, tests, curves = [], [], [], []
    for seed in range(cfg['seeds']):
      params, curve = hmm.fit(jax.random.PRNGKey(seed), train[:cfg['train_chars']], K, V,
                              cfg['iters'])
      vals.append(hmm.cross_entropy(params, valid))
      tests.append(hmm.cross_entropy(params, test))
      trains.append(-curve[-1])
      curves.append([-v for v in curve])
    out[K] = {'validation_nats': float(np.mean(vals)),
              'validation_nats_std': float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0,
              'train_nats': float(np.mean(trains)), 'test_nats_per_seed': tests,
              'em_curve_seed0': curves[0], 'seeds': len(vals)}
  best = min(out, key=lambda k: out[k]['validation_nats'])
  tests = out[best]['test_nats_per_seed']
  out['chosen'] = {'states': best, 'test_nats': float(np.mean(tests)),
                   'test_nats_std': float(np.std(tests, ddof=1)) if len(tests) > 1 else 0.0,
                   'test_bits_per_char': float(np.mean(tests)) / math.log(2)}
  return out


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  table = compute(preset)
  plot(table, f'{out}/ngram_baselines.png')
  return table


def plot(table: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  del viz
  fig, ax = plt.subplots(figsize=(6.4, 4.4))
  bits = 1 / math.log(2)
  for smoothing, color, label in (('kneser_ney', 'C0', 'Kneser-Ney'),
                                  ('add', 'C1', 'add-alpha (alpha on validation)')):
    rows = table[smoothing]
    ns = sorted(rows)
    ax.plot(ns, [rows[n]['validation_nats'] * bits for n in ns], 'o-', color=color,
            label=f'{label}: validation')
    ax.plot(ns, [rows[n]['train_nats'] * bits for n in ns], 'o--', color=color, alpha=0.6,
            label=f'{label}: train')
  for K, color in zip([k for k in table['hmm'] if k != 'chosen'], ('C2', 'C3', 'C4')):
    ax.axhline(table['hmm'][K]['validation_nats'] * bits, color=color, ls='--',
               label=f'HMM, {K} states (validation)')
  for (name, rec), style in zip(table['neural'].items(), (':', '-.')):
    ax.axhline(rec['validation_nats'] * bits, color='k', ls=style,
               label=f"{name} (validation)")
  ax.set_xlabel('order n (context of n - 1 characters)')
  ax.set_ylabel('cross-entropy (bits per character)')
  ax.set_title('Character n-grams on Shakespeare')
  ax.legend(fontsize=7)
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)
  return path
