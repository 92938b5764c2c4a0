r"""Intrinsic evaluation of Shakespeare word vectors (seed 003 §2.9): top-10 neighbour overlap,
spelling variants, a gender-bias audit, and a linear map between two embedding spaces (the
cross-lingual map of seed 000 A59 / E31, with stand-ins: EN<->ES text is not offline).

  python -m experiments.study embeddings/intrinsic_eval --workdir=runs/intrinsic_eval [--preset=cpu] [--publish]

Runs (SEEDS = 3 each): skipgram (configs/embeddings/word2vec.py), glove, fasttext, reloaded by the
report (load_run). Sections of the table:
  overlap    mean |N10^a(w) ∩ N10^b(w)| / 10 over the `queries` most frequent words: between the
             seeds of one method (3 pairs) and between methods (same seed, 3 seeds); chance ~10/V
  spelling   the text's spelling variants: every elided past form "X'd" whose "Xed" is also a
             vocabulary word (lov'd/loved, call'd/called, ...) plus o'er/over, ne'er/never, e'er/ever,
             e'en/even, oft/often: the rank of one form among the other's neighbours (median), hit@10,
             the mean cosine of the pairs against random pairs
             No similarity-rating set (SimLex, WordSim) exists offline and none is built here: a
             hand-rated list would be our own judgement, not a human-rating stand-in.
  bias       the he->she direction g = unit mean of unit differences u_b - u_a over DEFINING pairs
             (he/she, his/her, man/woman, lord/lady, king/queen, ...); check: the share of HELD_OUT
             gendered pairs (duke/duchess, uncle/aunt, ...) whose female word projects further along
             g (if this is near 50 % the direction means nothing); the projection cos(w, g) of
             ROLES (soldier, nurse, servant, ...; Shakespeare's occupations, a stand-in for modern
             occupation lists); WEAT (Caliskan et al. 2017) of MARTIAL vs TENDER words against male
             vs female words (effect size, permutation p)
  map        orthogonal Procrustes W = argmin ||X W - Y|| on a seed dictionary of `dictionary`
             frequent shared words, translation precision@1 (nearest target word by cosine, over the
             whole vocabulary) on `held_out` other frequent words, against the unmapped vectors and
             a random rotation. Stand-ins for the two languages: (a) LSA (d=100, PPMI, window 5) of
             the two disjoint halves of the training text, (b) skip-gram vs GloVe (same seed),
             (c) skip-gram seed k vs seed k+1. The gold translation of a word is the word itself,
             so this measures how much of two spaces a rotation aligns, not translation.
Plots: intrinsic_eval.png (overlap and map precision), bias_audit.png (projections of the roles).
Expected (cpu preset, 3 seeds, ~6 min on a 2-core CPU): see docs/embeddings/notes.md.
"""
import itertools
import os

import numpy as np

from configs.embeddings import fasttext, glove, word2vec
from experiments.tools import study_utils

SEEDS = 3
TRAINED = {'skipgram': word2vec.get_config, 'glove': glove.get_config,
           'fasttext': fasttext.get_config}
PRESETS = {'smoke': dict(queries=50, dictionary=40, held_out=20, min_half_count=2, lsa_dim=8,
                         permutations=100),
           'cpu': dict(queries=1000, dictionary=1500, held_out=500, min_half_count=20, lsa_dim=100,
                       permutations=5000)}
SPELLING = (("o'er", 'over'), ("ne'er", 'never'), ("e'er", 'ever'), ("e'en", 'even'),
            ('oft', 'often'))
DEFINING = (('he', 'she'), ('his', 'her'), ('him', 'her'), ('man', 'woman'), ('lord', 'lady'),
            ('king', 'queen'), ('father', 'mother'), ('son', 'daughter'), ('brother', 'sister'),
            ('husband', 'wife'), ('boy', 'girl'), ('sir', 'madam'))
HELD_OUT = (('duke', 'duchess'), ('prince', 'princess'), ('uncle', 'aunt'), ('master', 'mistress'),
            ('gentleman', 'gentlewoman'), ('nephew', 'niece'), ('lad', 'lass'),
            ('bridegroom', 'bride'), ('gentlemen', 'ladies'), ('men', 'women'), ('kings', 'queens'),
            ('sons', 'daughters'), ('brothers', 'sisters'), ('himself', 'herself'))
ROLES = ('soldier', 'captain', 'general', 'servant', 'nurse', 'physician', 'doctor', 'cook',
         'shepherd', 'merchant', 'priest', 'friar', 'tailor', 'butcher', 'messenger', 'porter',
         'steward', 'fool', 'clown', 'witch', 'beggar', 'thief', 'traitor', 'judge', 'page', 'poet',
         'painter', 'keeper', 'gardener', 'sailor', 'citizen', 'courtier', 'lover', 'friend', 'enemy',
         'murderer', 'tyrant', 'saint', 'fairy', 'ghost')
MARTIAL = ('war', 'sword', 'battle', 'soldier', 'fight', 'arms', 'blood', 'honour')
TENDER = ('love', 'beauty', 'fair', 'sweet', 'gentle', 'tears', 'weep', 'kiss')
MALE = ('he', 'his', 'him', 'man', 'lord', 'king', 'father', 'son', 'brother', 'husband')
FEMALE = ('she', 'her', 'hers', 'woman', 'lady', 'queen', 'mother', 'daughter', 'sister', 'wife')


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  for name, get_config in TRAINED.items():
    yield name, get_config(preset)


def _stats(values) -> dict:
  values = [float(v) for v in values]
  return {'mean': float(np.mean(values)), 'std': float(np.std(values, ddof=1)) if len(values) > 1
          else 0.0, 'per_seed': values}


def spelling_pairs(words) -> list:
  """(variant, other form) pairs of the vocabulary: X'd / Xed and the SPELLING list."""
  index = set(words)
  pairs = [(w, w[:-2] + 'ed') for w in words if w.endswith("'d") and w[:-2] + 'ed' in index]
  return pairs + [p for p in SPELLING if p[0] in index and p[1] in index]


def overlap_section(vecs: dict, p) -> dict:
  """Top-10 overlap between seeds of a method and between methods (module docstring)."""
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  v = len(next(iter(vecs.values()))[0])
  queries = np.arange(1, min(p['queries'], v - 1) + 1)
  out = {'queries': int(len(queries)), 'chance': 10 / (v - 2)}
  for m, seeds in vecs.items():
    if len(seeds) < 2:                      # one seed (a --seeds=1 run): no pair of seeds
      continue
    out[f'seeds/{m}'] = _stats([emb_eval.top_k_overlap(seeds[i], seeds[j], queries)
                                for i, j in itertools.combinations(range(len(seeds)), 2)])
  for a, b in itertools.combinations(vecs, 2):
    out[f'methods/{a}-{b}'] = _stats([emb_eval.top_k_overlap(x, y, queries)
                                      for x, y in zip(vecs[a], vecs[b])])
  return out


def spelling_section(vecs: dict, words) -> dict:
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  index = {w: i for i, w in enumerate(words)}
  pairs = spelling_pairs(words)
  out = {'pairs': len(pairs), 'examples': pairs[:12]}
  if not pairs:
    return out
  ids = np.array([(index[a], index[b]) for a, b in pairs])
  rng = np.random.default_rng(0)
  random_ids = rng.integers(1, len(words), size=len(ids))
  for m, seeds in vecs.items():
    ranks, hits, cos, rand_cos = [], [], [], []
    for vectors in seeds:
      u = emb_eval.unit(vectors)
      r = np.array([emb_eval.neighbour_rank(vectors, a, b) for a, b in ids])
      ranks.append(np.median(r))
      hits.append(np.mean(r <= 10))
      cos.append(np.mean(np.sum(u[ids[:, 0]] * u[ids[:, 1]], 1)))
      rand_cos.append(np.mean(np.sum(u[ids[:, 0]] * u[random_ids], 1)))
    out[m] = {'median_rank': _stats(ranks), 'hit_at_10': _stats(hits), 'cosine': _stats(cos),
              'random_pair_cosine': _stats(rand_cos)}
  return out


def bias_section(vecs: dict, words, p) -> dict:
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  index = {w: i for i, w in enumerate(words)}
  held = [(a, b) for a, b in HELD_OUT if a in index and b in index]
  roles = [w for w in ROLES if w in index]
  out = {'defining': [pr for pr in DEFINING if pr[0] in index and pr[1] in index],
         'held_out': held, 'roles': roles}
  for m, seeds in vecs.items():
    held_acc, proj, weat_d, weat_p = [], [], [], []
    for k, vectors in enumerate(seeds):
      u = emb_eval.unit(vectors)
      g = emb_eval.direction(vectors, index, DEFINING)
      held_acc.append(np.mean([u[index[b]] @ g > u[index[a]] @ g for a, b in held]) if held
                      else np.nan)
      proj.append([float(u[index[w]] @ g) for w in roles])
      try:
        w = emb_eval.weat(vectors, index, MARTIAL, TENDER, MALE, FEMALE, p['permutations'], seed=k)
        weat_d.append(w['effect_size'])
        weat_p.append(w['p_value'])
      except ValueError:
        pass
    proj = np.array(proj)
    out[m] = {'held_out_sign_accuracy': _stats(held_acc),
              'roles': {w: _stats(proj[:, j]) for j, w in enumerate(roles)},
              'weat_martial_vs_tender': {'effect_size': _stats(weat_d) if weat_d else None,
                                         'p_value': weat_p}}
    if roles:
      # a role "leans" when its projection has the same sign in every seed
      mean = proj.mean(0)
      out[m]['most_female'] = [roles[j] for j in np.argsort(-mean)[:5]]
      out[m]['most_male'] = [roles[j] for j in np.argsort(mean)[:5]]
      out[m]['roles_same_sign_all_seeds'] = float(np.mean(np.all(proj > 0, 0) | np.all(proj < 0, 0)))
  return out


def half_lsa(preset: str, p) -> tuple:
  """LSA vectors of the first and the second half of the training words (one vocabulary), and the
  word counts in each half."""
  import ml_collections  # pylint: disable=g-import-not-at-top
  from dljax import data as data_lib  # pylint: disable=g-import-not-at-top
  from dljax.data import word_context as wc  # pylint: disable=g-import-not-at-top
  from dljax.models import count_embeddings as ce  # pylint: disable=g-import-not-at-top
  data_cfg = ml_collections.ConfigDict(dict(name='shakespeare_words', min_count=5))
  if preset == 'smoke':
    data_cfg.train_limit = 100_000
  ids, vocab = data_lib.load_words(data_cfg, 'train')
  halves = (ids[:len(ids) // 2], ids[len(ids) // 2:])
  out = []
  for h in halves:
    h = wc.drop_unknown(h)
    vectors = ce.lsa(wc.cooccurrence(h, len(vocab), 5, 'uniform'), p['lsa_dim'], 'ppmi', power=0.5)
    vectors[0] = 0.0
    out.append((vectors, np.bincount(h, minlength=len(vocab))))
  return out, vocab


def map_one(src, tgt, candidates, p, seed: int) -> dict:
  """Precision@1 unmapped / random rotation / Procrustes on one dictionary split of `candidates`."""
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  order = np.random.default_rng(seed).permutation(candidates)
  n_test = min(p['held_out'], len(order) // 3)
  test, train = order[:n_test], order[n_test:n_test + p['dictionary']]
  pairs_train = np.stack([train, train], 1)
  pairs_test = np.stack([test, test], 1)
  w = emb_eval.procrustes(emb_eval.unit(src)[train], emb_eval.unit(tgt)[train])
  return {'unmapped': emb_eval.translation_precision(src, tgt, pairs_test),
          'random_rotation': emb_eval.translation_precision(
              src, tgt, pairs_test, emb_eval.random_rotation(src.shape[1], seed)),
          'procrustes': emb_eval.translation_precision(src, tgt, pairs_test, w),
          'procrustes_train': emb_eval.translation_precision(src, tgt, pairs_train, w),
          'dictionary': int(len(train)), 'held_out': int(n_test)}


def map_section(vecs: dict, preset: str, p) -> dict:
  (lsa_a, count_a), (lsa_b, count_b) = half_lsa(preset, p)[0]
  shared = np.flatnonzero((count_a >= p['min_half_count']) & (count_b >= p['min_half_count']))
  shared = shared[shared > 0]
  v = len(lsa_a)
  frequent = np.arange(1, v)[:p['dictionary'] + p['held_out'] + 1000]   # ids sorted by frequency
  seeds = len(vecs['skipgram'])
  pairs = {'lsa_half1->half2': [(lsa_a, lsa_b, shared)] * seeds,
           'skipgram->glove': [(vecs['skipgram'][k], vecs['glove'][k], frequent)
                               for k in range(seeds)],
           'skipgram_seed_k->k+1': [(vecs['skipgram'][k], vecs['skipgram'][(k + 1) % seeds], frequent)
                                    for k in range(seeds) if seeds > 1]}
  out = {'shared_half_words': int(len(shared))}
  for name, items in pairs.items():
    if not items:
      continue
    results = [map_one(s, t, c, p, seed=k) for k, (s, t, c) in enumerate(items)]
    out[name] = {key: _stats([r[key] for r in results])
                 for key in ('unmapped', 'random_rotation', 'procrustes', 'procrustes_train')}
    out[name]['dictionary'], out[name]['held_out'] = results[0]['dictionary'], results[0]['held_out']
  return out


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """The four sections (module docstring) and the two plots."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  p = PRESETS[preset]
  vecs, words = {}, None
  for name in TRAINED:
    vecs[name] = []
    for summary in summaries[name].get('seeds') or [summaries[name]]:
      run = loop.load_run(summary['workdir'])
      vecs[name].append(np.asarray(run.task.word_vectors(run.state, run.data), np.float32))
      words = tuple(run.data['vocab'].words)
  table = {'overlap': overlap_section(vecs, p), 'spelling': spelling_section(vecs, words),
           'similarity_ratings': 'not built: no human similarity ratings offline',
           'bias': bias_section(vecs, words, p), 'map': map_section(vecs, preset, p)}
  ov, mp, bias = table['overlap'], table['map'], table['bias']
  n_seeds = len(vecs['skipgram'])
  hows = ('unmapped', 'random_rotation', 'procrustes', 'procrustes_train')
  viz.hbar_panels(
      [(f'top-10 neighbour overlap ({ov["queries"]} frequent words)',
        {k.replace('seeds/', 'seeds of ').replace('methods/', ''): (ov[k]['mean'], ov[k]['std'])
         for k in ov if '/' in k}),
       ('precision@1 of a linear map (held-out words)',
        {f'{name}: {how}': (mp[name][how]['mean'], mp[name][how]['std'])
         for name in mp if isinstance(mp[name], dict) for how in hows})],
      os.path.join(out, 'intrinsic_eval.png'),
      title=f'Shakespeare word vectors, mean ± std over {n_seeds} seeds')
  if bias['roles']:
    panels = []
    for m in TRAINED:
      roles = sorted(bias['roles'], key=lambda w, m=m: -bias[m]['roles'][w]['mean'])
      panels.append((f'{m} (held-out gender pairs: '
                     f'{bias[m]["held_out_sign_accuracy"]["mean"]:.0%} right side)',
                     {w: (bias[m]['roles'][w]['mean'], bias[m]['roles'][w]['std']) for w in roles}))
    viz.hbar_panels(panels, os.path.join(out, 'bias_audit.png'),
                    title='cos(role word, he->she direction): > 0 nearer "she" '
                          f'(mean ± std over {n_seeds} seeds)')
  return table
