r"""Back-translation for grapheme-to-phoneme: does a phones -> letters model turn pronunciations
without spellings into useful G2P training data?

  python -m experiments.study sequence/g2p_backtranslation --workdir=runs/g2p_backtranslation [--preset=cpu] [--publish]

The first STUDY words of cmudict_g2p are split in two seeded halves (data.half_seed): A keeps
(spelling, phones), B only the phones. Four runs of configs/sequence/cmudict_transformer.py (STUDY
sizes, the same steps): p2g (phones -> letters on A); then runs() spells B's phones with the trained
P2G greedily (empty spellings dropped) into <workdir>/synthetic_b.tsv (+ synthetic_b.json: its exact
rate on B, examples); baseline (G2P on A), augmented (A + back-translated B), reference (A + real B,
the upper bound). report(): test WER/PER (first test_limit test words) -> g2p_backtranslation.png.
Expected (cpu preset, 2-core CPU, ~30 min): WER baseline 0.717, augmented 0.745, reference 0.701;
P2G spells 16.8 % of B exactly (docs/sequence/g2p_backtranslation.json).
"""
import json
import os

# the study's model and budget per preset (the cmudict_transformer config otherwise)
STUDY = {'smoke': dict(words=32, steps=2, batch_size=16, d_model=16, num_heads=2, num_layers=1,
                       test_limit=8),
         'cpu': dict(words=10000, steps=800, batch_size=64, d_model=64, num_heads=4, num_layers=2,
                     test_limit=2000)}
G2P_RUNS = ('baseline', 'augmented', 'reference')
BEAM = 1   # greedy spelling and test decoding
LABELS = {'baseline': 'G2P on A', 'augmented': 'A + back-transl. B', 'reference': 'A + real B'}


def study_config(preset: str, direction: str = 'g2p', half: str = 'a', extra_pairs: str = '',
                 beam: int = 1):
  """configs/sequence/cmudict_transformer.py restricted to the first STUDY words, one half of them
  (or all with half=''), plus extra_pairs; `direction` 'p2g' swaps the sides and vocabularies."""
  from configs.sequence import cmudict_transformer  # pylint: disable=g-import-not-at-top
  study = STUDY[preset]
  config = cmudict_transformer.get_config('smoke' if preset == 'smoke' else 'cpu')
  config.name = f'g2p_backtranslation_{direction}'
  config.data.direction = direction
  config.data.train_limit = study['words']
  config.data.test_limit = study['test_limit']
  config.data.batch_size = study['batch_size']
  config.data.half, config.data.half_seed, config.data.extra_pairs = half, 0, extra_pairs
  if direction == 'p2g':
    config.model.src_vocab, config.model.tgt_vocab = config.model.tgt_vocab, config.model.src_vocab
  for key in ('d_model', 'num_heads', 'num_layers'):
    config.model[key] = study[key]
  config.train.steps, config.train.epochs = study['steps'], 0.0
  config.train.eval_every = config.train.checkpoint_every = study['steps']
  config.train.log_every = max(1, min(50, study['steps'] // 20))
  config.eval.beam = beam
  config.optim.schedule.warmup_steps = min(config.optim.schedule.warmup_steps, study['steps'] // 4)
  return config


def back_translate(config_p2g, workdir_p2g: str, beam: int) -> dict:
  """P2G's spellings of half B's phones: {'words', 'phones', 'real_words', 'exact'}."""
  import jax  # pylint: disable=g-import-not-at-top
  from dljax.train import loop, tasks  # pylint: disable=g-import-not-at-top
  probe = config_p2g.copy_and_resolve_references()
  probe.data.half = 'b'
  data = tasks.TASKS[probe.task].load_data(probe)
  phones_vocab, letters_vocab = data['vocabs']
  run = loop.load_run(workdir_p2g)
  run.task.beam = beam
  pred = run.task.predictions(run.state, data['train'], jax.jit(run.task.eval_step), run.run.put)
  spelled = pred['beam'] or pred['greedy']
  max_letters = data['train']['tgt'].shape[1] - 1
  out = {'words': [], 'phones': [], 'real_words': []}
  for src, hyp, ref in zip(data['train']['src'], spelled, pred['refs']):
    word = letters_vocab.decode(hyp[:max_letters])
    if word:   # an empty spelling is no training pair
      out['words'].append(word)
      out['phones'].append(phones_vocab.decode(src, sep=' '))
      out['real_words'].append(letters_vocab.decode(ref))
  out['exact'] = sum(w == r for w, r in zip(out['words'], out['real_words'])) / max(len(spelled), 1)
  out['dropped_empty'] = len(spelled) - len(out['words'])
  return out


def runs(preset: str, workdir: str):
  from dljax.data import cmudict_g2p  # pylint: disable=g-import-not-at-top
  if preset not in STUDY:
    raise ValueError(f'unknown preset {preset!r}; use one of {sorted(STUDY)}.')
  config_p2g = study_config(preset, 'p2g', 'a', beam=BEAM)
  yield 'p2g', config_p2g
  pairs = os.path.abspath(os.path.join(workdir, 'synthetic_b.tsv'))
  p2g_dir = os.path.join(workdir, 'p2g')
  if not os.path.exists(pairs) and os.path.exists(os.path.join(p2g_dir, 'summary.json')):
    synthetic = back_translate(config_p2g, p2g_dir, BEAM)
    stats = {'p2g_exact_on_b': synthetic['exact'], 'synthetic_pairs': len(synthetic['words']),
             'dropped_empty': synthetic['dropped_empty'],
             'examples': [list(t) for t in zip(synthetic['phones'][:20], synthetic['words'][:20],
                                               synthetic['real_words'][:20])],
             'setup': dict(STUDY[preset], preset=preset, beam=BEAM)}
    with open(os.path.join(workdir, 'synthetic_b.json'), 'w') as f:
      json.dump(stats, f, indent=2)
    cmudict_g2p.write_pairs(pairs, synthetic['words'], synthetic['phones'])
  yield 'baseline', study_config(preset, 'g2p', 'a', beam=BEAM)
  yield 'augmented', study_config(preset, 'g2p', 'a', pairs, beam=BEAM)
  yield 'reference', study_config(preset, 'g2p', '', beam=BEAM)   # all words = A + real B


def report(summaries: dict, out: str) -> dict:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  results = {name: {k: summaries[name]['final'][k] for k in ('test/wer', 'test/per')}
             for name in ('p2g',) + G2P_RUNS}
  stats_path = os.path.join(os.path.dirname(summaries['p2g']['workdir']), 'synthetic_b.json')
  with open(stats_path) as f:
    results.update(json.load(f))
  viz.grouped_bars(
      {f'test {m.upper()}': {LABELS[n]: results[n][f'test/{m}'] for n in G2P_RUNS}
       for m in ('wer', 'per')}, os.path.join(out, 'g2p_backtranslation.png'), ylabel='error rate',
      title=f'G2P back-translation ({results["setup"]["words"]} words, P2G spells '
            f'{100 * results["p2g_exact_on_b"]:.0f} % of B exactly)')
  return results
