"""The arithmetic-chain generator, its scratchpad format, the filter, the vote and pass@k."""
import math

import jax
import numpy as np
import pytest

from dljax.data import arith
from dljax.eval import reasoning
from dljax.models import decoding


def _problems(batch, i):
  p = arith.decode(batch['x'][i][:batch['prompt_len'][i]])
  full = arith.decode(np.concatenate([batch['x'][i][:1], batch['y'][i]]))
  return p, full[len(p):]


@pytest.mark.parametrize('fmt', arith.FORMATS)
def test_answers_are_the_python_value_and_parse_back(fmt):
  batch = arith.make(300, np.random.default_rng(0), fmt, 1, 6)
  for i in range(300):
    prompt, completion = _problems(batch, i)
    assert prompt.endswith('=') and prompt.count('=') == 1
    value = eval(prompt[:-1])   # pylint: disable=eval-used  (only digits, + and -)
    assert value == batch['answer'][i]
    answer, steps = arith.parse(completion, fmt)
    assert answer == value
    assert (prompt.count('+') + prompt.count('-')) == batch['num_ops'][i]
    if fmt == 'scratchpad':
      assert len(steps) == batch['num_ops'][i] and steps[-1] == value
      terms = prompt[:-1].replace('-', '+-').split('+')
      assert steps == list(np.cumsum([int(t) for t in terms])[1:])
      assert arith.steps_consistent(batch['digits'][i], batch['signs'][i], batch['num_ops'][i],
                                    completion)
    # the loss covers exactly the completion (through its '.')
    assert batch['loss_mask'][i].sum() == len(completion.split('.')[0]) + 1


def test_loss_mask_and_shapes():
  batch = arith.make(4, np.random.default_rng(1), 'scratchpad', 1, 2)
  assert batch['x'].shape == (4, arith.seq_len(2) - 1) and batch['y'].shape == batch['x'].shape
  i = 0
  mask = batch['loss_mask'][i]
  first = int(np.argmax(mask))
  assert first == batch['prompt_len'][i] - 1            # the input '=' predicts the first answer char
  assert batch['x'][i][first] == arith.EQUALS
  assert batch['y'][i][int(np.flatnonzero(mask)[-1])] == arith.END


def test_generator_is_deterministic_and_streams_differ():
  a = arith.eval_set(50, 3, 'test', 'direct', 1, 6)
  b = arith.eval_set(50, 3, 'test', 'direct', 1, 6)
  v = arith.eval_set(50, 3, 'validation', 'direct', 1, 6)
  np.testing.assert_array_equal(a['x'], b['x'])
  assert not np.array_equal(a['x'], v['x'])
  s = arith.eval_set(50, 3, 'test', 'scratchpad', 1, 6)  # the same problems in the other format
  np.testing.assert_array_equal(a['answer'], s['answer'])
  np.testing.assert_array_equal(np.bincount(a['num_ops']), [0] + [9, 9, 8, 8, 8, 8])
  it1, it2 = arith.train_iterator(8, 5, fmt='direct'), arith.train_iterator(8, 5, fmt='direct')
  for _ in range(2):
    x1, x2 = next(it1), next(it2)
    np.testing.assert_array_equal(x1['x'], x2['x'])


def test_parse_and_filters_reject_bad_chains():
  digits, signs = np.array([7, 3, 5, 8]), np.array([1, -1, 1])
  assert arith.parse('10,5,13>13.', 'scratchpad') == (13, [10, 5, 13])
  assert arith.parse('13.', 'direct') == (13, None)
  assert arith.parse('-4.', 'direct') == (-4, None)
  assert arith.parse('13', 'direct') == (None, None)          # never ended
  assert arith.parse('1-3.', 'direct') == (None, None)
  assert arith.steps_consistent(digits, signs, 3, '10,5,13>13.')
  assert not arith.steps_consistent(digits, signs, 3, '10,6,14>14.')   # a wrong step
  assert not arith.steps_consistent(digits, signs, 3, '10,5,13>12.')   # answer != last step
  assert not arith.steps_consistent(digits, signs, 3, '10,13>13.')     # a step missing
  assert arith.answer_consistent('10,6,14>14.') and not arith.answer_consistent('10,5,13>12.')
  with pytest.raises(ValueError, match='format'):
    arith.check('cot', 1, 2)


def test_majority_vote_and_self_consistency():
  assert reasoning.majority_vote([3, 5, 5, None, 3, 5]) == 5
  assert reasoning.majority_vote([3, 5, 5, 3]) == 3          # tie: the one sampled first
  assert reasoning.majority_vote([None, None]) is None
  answers = [[1, 2, 2], [4, 4, 5], [None, 7, 8]]
  assert reasoning.vote_accuracy(answers, [2, 4, 8], (1, 3)) == [1 / 3, 2 / 3]
  with pytest.raises(ValueError, match='samples'):
    reasoning.vote_accuracy(answers, [2, 4, 8], (5,))


def test_pass_at_k_matches_enumeration():
  # n = 5 samples, c = 2 right: P(a random k-subset holds a right one), enumerated
  import itertools  # pylint: disable=g-import-not-at-top
  for k in (1, 2, 3, 4):
    subsets = list(itertools.combinations(range(5), k))
    want = np.mean([any(j < 2 for j in s) for s in subsets])
    assert math.isclose(reasoning.pass_at_k(5, [2], k)[0], want)
  assert reasoning.pass_at_k(5, [0], 3)[0] == 0.0 and reasoning.pass_at_k(5, [3], 3)[0] == 1.0


def test_filtered_at_1():
  answers = [[1, 2, 3], [4, 5, 6]]
  passes = [[False, True, True], [False, False, False]]
  out = reasoning.filtered_at_1(answers, passes, [2, 4], k=3)
  assert out == {'filtered@1': 1.0, 'filter+vote': 1.0, 'none_pass': 0.5}
  out = reasoning.filtered_at_1(answers, passes, [2, 4], k=1)   # only the first candidate
  assert out['filtered@1'] == 0.5 and out['none_pass'] == 1.0


def test_complete_keeps_prompts_and_follows_the_step_fn():
  # a fake model that always predicts (previous token + 1) mod 5, EOS = 4
  def step(cache, tok, t):
    del t
    return jax.nn.log_softmax(10.0 * jax.nn.one_hot((tok + 1) % 5, 5)), cache
  tokens = np.array([[0, 2, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]], np.int32)
  out = np.asarray(decoding.complete(step, 0, tokens, np.array([1, 3]), eos_id=4))
  np.testing.assert_array_equal(out, [[0, 1, 2, 3, 4, 4], [1, 1, 1, 2, 3, 4]])
  sampled = np.asarray(decoding.complete(step, 0, tokens, np.array([1, 3]), eos_id=4,
                                         rng=jax.random.PRNGKey(0), temperature=0.5))
  np.testing.assert_array_equal(sampled, out)                 # peaked: sampling agrees


@pytest.mark.parametrize('fmt', arith.FORMATS)
def test_answer_window_reads_the_answer(fmt):
  from dljax.train.tasks.arith import answer_window  # pylint: disable=g-import-not-at-top
  batch = arith.make(50, np.random.default_rng(2), fmt, 1, 4)
  seq = np.concatenate([batch['x'][:, :1], batch['y']], axis=1)
  window, ended = answer_window(seq)
  assert np.all(ended)
  for row, answer in zip(np.asarray(window), batch['answer']):
    assert arith.decode(row).rstrip('.') == str(answer)
  # a wrong answer digit changes the window; a wrong step (scratchpad) does not
  i = int(np.argmax(batch['num_ops'] > 1))
  broken = seq.copy()
  broken[i, int(np.flatnonzero(seq[i] == arith.END)[0]) - 1] ^= 1   # flip the last answer digit
  assert not np.array_equal(np.asarray(answer_window(broken)[0])[i], np.asarray(window)[i])
  if fmt == 'scratchpad':
    step = seq.copy()
    step[i, batch['prompt_len'][i]] = (step[i, batch['prompt_len'][i]] + 1) % 10
    np.testing.assert_array_equal(np.asarray(answer_window(step)[0]), np.asarray(window))
