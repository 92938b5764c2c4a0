"""T5-style text2text data, per-task metrics of Seq2Seq, and the cmudict back-translation options."""
import jax
import numpy as np
import pytest
from ml_collections import ConfigDict

from dljax import data
from dljax.data import cmudict_g2p, text, text2text
from dljax.errors import ConfigError
from tests import helpers


def _cfg(**kw):
  base = dict(name='text2text', data_seed=0, args=dict(max_len=6, g2p_max_len=8),
              mix=dict(reverse=1.0, sort=1.0, date=1.0, g2p=1.0))
  return ConfigDict({**base, **kw})


def _texts(arrays):
  v = text2text.vocab()
  return [v.decode(x) for x in arrays['inputs']], [v.decode(y) for y in arrays['targets']]


def test_prefixes_parse_and_name_each_examples_task():
  arrays = data.load_sequences(_cfg(test_size=40), 'test')
  sources, _ = _texts(arrays)
  assert [text2text.TASKS.index(text2text.parse(s)[0]) for s in sources] == arrays['task'].tolist()
  with pytest.raises(ValueError, match='task prefix'):
    text2text.parse('translate: hello')
  with pytest.raises(ValueError, match='task prefix'):
    text2text.parse('reverse 1 2')


def test_every_pair_is_its_tasks_answer():
  # the round trip text -> ids -> text gives back pairs that are right for their task
  arrays = data.load_sequences(_cfg(test_size=80), 'test')
  lex = cmudict_g2p.lexicon()
  seen = set()
  for source, target in zip(*_texts(arrays)):
    task, x = text2text.parse(source)
    seen.add(task)
    if task == 'reverse':
      assert target.split() == x.split()[::-1]
    elif task == 'sort':
      assert target.split() == sorted(x.split(), key=int)
    elif task == 'date':
      assert len(target) == 10 and target[4] == target[7] == '-' and target[:4] in x
    else:
      assert target.split() == lex[x] and len(x) <= 8
  assert seen == set(text2text.TASKS)


def test_text_encoding_round_trip_and_one_shared_vocab():
  v = text2text.vocab()
  line = "g2p: o'neil-smith 2026/11/25, Nov. HH AH"
  assert v.decode(v.encode(line)) == line
  assert data.sequence_vocab(_cfg()) == (v, v) and len(v) == 72 and v.has_specials


def test_mixing_proportions_are_exact_and_seeded():
  assert text2text.mix_counts(100, {'reverse': 3, 'g2p': 1}) == {'reverse': 75, 'g2p': 25}
  counts = text2text.mix_counts(10, {'reverse': 1, 'sort': 1, 'date': 1})   # 3.33 each
  assert sum(counts.values()) == 10 and sorted(counts.values()) == [3, 3, 4]
  cfg = _cfg(train_size=101, mix=dict(reverse=2.0, sort=0.0, date=1.0, g2p=1.0))
  arrays = data.load_sequences(cfg, 'train')
  want = text2text.mix_counts(101, cfg.mix.to_dict())
  got = np.bincount(arrays['task'], minlength=4)
  assert dict(zip(text2text.TASKS, got.tolist())) == want and got[1] == 0
  again = data.load_sequences(cfg, 'train')
  assert all(np.array_equal(arrays[k], again[k]) for k in arrays)
  assert arrays['task'][:20].tolist() != sorted(arrays['task'][:20].tolist())   # interleaved


def test_splits_share_shapes_and_g2p_test_words_are_unseen():
  cfg = _cfg(train_size=200, test_size=60)
  train, test = data.load_sequences(cfg, 'train'), data.load_sequences(cfg, 'test')
  assert train['inputs'].shape[1:] == test['inputs'].shape[1:]
  assert train['targets'].shape[1] == text2text.padded_lengths(text2text.check_args(cfg)[0])[1]
  words = lambda a: {text2text.parse(s)[1] for s, t in zip(_texts(a)[0], a['task'])
                     if t == text2text.TASKS.index('g2p')}
  assert words(test) and not words(train) & words(test)


def test_bad_text2text_config_is_a_config_error():
  with pytest.raises(ConfigError, match='unknown tasks'):
    data.load_sequences(_cfg(mix=dict(translate=1.0)), 'test')
  with pytest.raises(ConfigError, match='not arguments'):
    data.load_sequences(_cfg(args=dict(length=3)), 'test')
  with pytest.raises(ConfigError, match='only'):
    data.load_sequences(_cfg(test_size=40000, mix=dict(g2p=1.0)), 'test')


def test_t5_config_fits_its_data_and_golden_parameter_count():
  from dljax import models
  config = helpers.load_config('configs/language/t5_multitask.py', 'cpu')
  src_len, tgt_len = text2text.padded_lengths(text2text.check_args(config.data)[0])
  assert config.model.max_len >= max(src_len, tgt_len) and config.eval.max_len >= tgt_len
  assert config.model.src_vocab == config.model.tgt_vocab == len(text2text.vocab())
  model = models.build(config.model)
  shapes = jax.eval_shape(lambda: model.init(jax.random.PRNGKey(0), np.zeros((1, 4), np.int32),
                                             np.zeros((1, 4), np.int32), train=False))
  assert sum(int(np.prod(x.shape)) for x in jax.tree.leaves(shapes['params'])) == GOLDEN_T5_CPU


# d=64, 2+2 layers, V=72: source and target embeddings 2 V d (output tied to the target one);
# attention 4 (d^2 + d); FFN d 4d + 4d + 4d d + d; LayerNorm 2d. Encoder block: attention + FFN +
# 2 LN; decoder block: 2 attentions + FFN + 3 LN; final LN on each side.
_D = 64
_ATT, _FFN = 4 * (_D * _D + _D), 8 * _D * _D + 5 * _D
GOLDEN_T5_CPU = (2 * 72 * _D + 2 * (_ATT + _FFN + 2 * 2 * _D) + 2 * (2 * _ATT + _FFN + 3 * 2 * _D)
                 + 2 * 2 * _D)
assert GOLDEN_T5_CPU == 242944


def test_seq2seq_reports_exact_match_per_task():
  from dljax.train.tasks import seq2seq
  config = helpers.load_config('configs/language/t5_multitask.py', 'smoke')
  config.data.test_size = 40
  arrays = seq2seq.Seq2Seq.load_data(config)['test']
  task = seq2seq.Seq2Seq(config, 10)
  assert task.groups == text2text.TASKS

  def eval_fn(state, batch):   # a fake model: right on reverse and date, wrong elsewhere
    del state
    right = np.isin(batch['task'], [0, 2])[:, None]
    return {'nll': 0.0, 'tokens': 1.0,
            'greedy': np.where(right, batch['tgt'], np.full_like(batch['tgt'], 5))}
  metrics = task.evaluate(None, arrays, eval_fn, lambda b: b)
  assert {k: metrics[f'test/exact_{k}'] for k in text2text.TASKS} == {
      'reverse': 1.0, 'sort': 0.0, 'date': 1.0, 'g2p': 0.0}
  frac = np.isin(arrays['task'], [0, 2]).mean()
  assert metrics['test/wer'] == pytest.approx(1.0 - frac)


# ---- cmudict back-translation options ------------------------------------------------------------

META = {'letters': ['a', 'b', 'c'], 'phones': ['AH', 'B', 'K'], 'max_letters': 4, 'max_phones': 3}
RECORDS = [{'word': b'cab', 'phones': b'K AH B'}, {'word': 'ab', 'phones': 'AH B'}]


def test_p2g_direction_swaps_sides_and_vocabularies():
  g2p = cmudict_g2p.arrays(RECORDS, META)
  p2g = cmudict_g2p.arrays(RECORDS, META, 'p2g')
  letters, phones = cmudict_g2p.vocabs(META)
  assert p2g['inputs'].shape == (2, 3) and p2g['targets'].shape == (2, 5)
  assert phones.decode(p2g['inputs'][0], sep=' ') == 'K AH B' == phones.decode(g2p['targets'][0], ' ')
  assert letters.decode(p2g['targets'][0]) == 'cab' == letters.decode(g2p['inputs'][0])
  assert p2g['target_lengths'].tolist() == [4, 3]   # letters + EOS
  with pytest.raises(ConfigError, match='direction'):
    data.load_sequences(ConfigDict(dict(name='cmudict_g2p', direction='backwards')), 'test')


def test_halves_and_extra_pairs(tmp_path):
  h = cmudict_g2p.halves(11, seed=3)
  assert len(h['a']) == 5 and sorted(np.concatenate([h['a'], h['b']]).tolist()) == list(range(11))
  assert np.array_equal(cmudict_g2p.halves(11, seed=3)['b'], h['b'])
  assert not np.array_equal(cmudict_g2p.halves(11, seed=4)['a'], h['a'])
  path = cmudict_g2p.write_pairs(str(tmp_path / 'p.tsv'), ['ba', 'c'], [['B', 'AH'], 'K'])
  assert cmudict_g2p.read_pairs(path) == [('ba', 'B AH'), ('c', 'K')]
  records = [{'word': w, 'phones': 'B'} for w in ('a', 'b', 'c', 'ab')]
  got = cmudict_g2p.train_records(records, 'b', 0, path)
  b = cmudict_g2p.halves(4, 0)['b']
  assert [r['word'] for r in got] == [records[i]['word'] for i in b] + ['ba', 'c']
  arrays = cmudict_g2p.arrays(got, META)
  assert text.Vocab(text.SPECIALS + ('a', 'b', 'c')).decode(arrays['inputs'][-2]) == 'ba'
  with pytest.raises(ConfigError, match='half'):
    cmudict_g2p.train_records(records, 'c')
  with pytest.raises(ConfigError, match='extra_pairs'):
    cmudict_g2p.train_records(records, '', 0, str(tmp_path / 'missing.tsv'))


def test_backtranslation_study_runs_differ_only_where_they_should(tmp_path):
  from experiments.sequence import g2p_backtranslation as study
  # p2g untrained in tmp_path: runs() writes no synthetic pairs and yields the G2P runs as configs
  configs = dict(study.runs('cpu', str(tmp_path)))
  assert list(configs) == ['p2g', 'baseline', 'augmented', 'reference']
  p2g, base, aug, ref = (configs[n] for n in ('p2g', 'baseline', 'augmented', 'reference'))
  assert (p2g.model.src_vocab, p2g.model.tgt_vocab) == (base.model.tgt_vocab, base.model.src_vocab)
  assert p2g.data.direction == 'p2g' and base.data.direction == 'g2p'
  assert aug.data.extra_pairs == str(tmp_path / 'synthetic_b.tsv')
  assert ref.data.half == '' and base.data.half == 'a' and base.data.extra_pairs == ''
  assert not (tmp_path / 'synthetic_b.tsv').exists()
  for c in (p2g, aug, ref):   # same words, budget and model
    assert c.data.train_limit == base.data.train_limit and c.train.steps == base.train.steps
    assert c.model.d_model == base.model.d_model and c.data.half_seed == base.data.half_seed
  assert base.train.steps == 800 and base.data.train_limit == 10000   # the published runs
  with pytest.raises(ValueError, match='preset'):
    next(study.runs('gpu', str(tmp_path)))
