r"""Back-translation for grapheme-to-phoneme: does a phones -> letters model turn pronunciations without
spellings into useful G2P training data?

  python -m experiments.sequence.g2p_backtranslation --workdir=runs/g2p_backtranslation [--preset=cpu]

The first --words training words of cmudict_g2p are split in two seeded halves (data.half_seed):
A keeps (spelling, phones), B keeps only the phones. Four runs of configs/sequence/
cmudict_transformer.py (the study's sizes: STUDY below), all with the same number of steps:
  baseline     G2P on A
  p2g          P2G (data.direction='p2g', phones -> letters) on A
  augmented    G2P on A + (P2G's spelling of B's phones, B's phones)   (back-translation)
  reference    G2P on A + real B (the upper bound back-translation can reach)
The P2G model spells B's pronunciations by greedy decoding (beam search with --beam > 1); empty
spellings are dropped. Reported: test WER/PER (the first STUDY test_limit words of the cmudict_g2p
test split, decoded greedily unless --beam) of the three G2P runs, and the P2G model's
exact-spelling rate on B -> bar chart <workdir>/g2p_backtranslation.png (+ docs/plots/) and <workdir>/g2p_backtranslation.json.
"""
import os
import shutil

from absl import app, flags

# the study's model and budget per preset (the cmudict_transformer config otherwise)
STUDY = {'smoke': dict(words=64, steps=4, batch_size=16, d_model=16, num_heads=2, num_layers=1,
                       test_limit=32),
         'cpu': dict(words=10000, steps=800, batch_size=64, d_model=64, num_heads=4, num_layers=2,
                     test_limit=2000)}
G2P_RUNS = ('baseline', 'augmented', 'reference')


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
  run, state = loop.load_trained(config_p2g, workdir_p2g)
  run.task.beam = beam
  pred = run.task.predictions(state, data['train'], jax.jit(run.task.eval_step), run.put)
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


def main(argv):
  del argv
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.data import cmudict_g2p  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  from experiments import study_utils  # pylint: disable=g-import-not-at-top
  root, preset, beam = _WORKDIR.value, _PRESET.value, _BEAM.value
  os.makedirs(root, exist_ok=True)
  summaries = {}
  config_p2g = study_config(preset, 'p2g', 'a', beam=beam)
  summaries['p2g'] = loop.train_and_evaluate(config_p2g, os.path.join(root, 'p2g'), progress=False)
  synthetic = back_translate(config_p2g, os.path.join(root, 'p2g'), beam)
  pairs = cmudict_g2p.write_pairs(os.path.join(root, 'synthetic_b.tsv'), synthetic['words'],
                                  synthetic['phones'])
  configs = {'baseline': study_config(preset, 'g2p', 'a', beam=beam),
             'augmented': study_config(preset, 'g2p', 'a', os.path.abspath(pairs), beam=beam),
             'reference': study_config(preset, 'g2p', '', beam=beam)}   # all words = A + real B
  for name, config in configs.items():
    summaries[name] = loop.train_and_evaluate(config, os.path.join(root, name), progress=False)
  results = {name: {k: summaries[name]['final'][k] for k in ('test/wer', 'test/per')}
             for name in ('p2g',) + G2P_RUNS}
  results['p2g_exact_on_b'] = synthetic['exact']
  results['synthetic_pairs'] = len(synthetic['words'])
  results['dropped_empty'] = synthetic['dropped_empty']
  results['examples'] = [list(t) for t in zip(synthetic['phones'][:20], synthetic['words'][:20],
                                              synthetic['real_words'][:20])]
  results['setup'] = dict(STUDY[preset], preset=preset, beam=beam)
  study_utils.write_json(results, os.path.join(root, 'g2p_backtranslation.json'))
  labels = {'baseline': 'G2P on A', 'augmented': 'A + back-transl. B', 'reference': 'A + real B'}
  path = viz.grouped_bars(
      {f'test {m.upper()}': {labels[n]: results[n][f'test/{m}'] for n in G2P_RUNS}
       for m in ('wer', 'per')}, os.path.join(root, 'g2p_backtranslation.png'), ylabel='error rate',
      title=f'G2P back-translation ({STUDY[preset]["words"]} words, P2G spells '
            f'{100 * synthetic["exact"]:.0f} % of B exactly)')
  print({n: results[n] for n in ('p2g',) + G2P_RUNS}, 'p2g exact on B', synthetic['exact'])
  if _DOCS.value:
    os.makedirs('docs/plots', exist_ok=True)
    shutil.copy(path, 'docs/sequence/g2p_backtranslation.png')
    shutil.copy(os.path.join(root, 'g2p_backtranslation.json'), 'docs/sequence/g2p_backtranslation.json')


_WORKDIR = flags.DEFINE_string('workdir', None, 'Where the four runs, the plot and the JSON go.')
_PRESET = flags.DEFINE_enum('preset', 'cpu', list(STUDY), 'Study size (STUDY).')
_BEAM = flags.DEFINE_integer('beam', 1, 'Beam width for P2G spelling and test decoding (1 = greedy).')
_DOCS = flags.DEFINE_bool('docs', True, 'Also copy the plot and JSON to docs/plots/.')

if __name__ == '__main__':
  flags.mark_flag_as_required('workdir')
  app.run(main)
