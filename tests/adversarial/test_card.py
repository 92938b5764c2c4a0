"""The robustness card end to end on a finished (smoke) run: experiments.evaluate with the card's
evaluator, its metrics merged into summary.json and its files written; bad input refused."""
import os

import pytest

from dljax.errors import ConfigError
from dljax.train import loop
from experiments import evaluate as evaluate_cli
from tests.helpers import load_config


@pytest.fixture(scope='module')
def finished(tmp_path_factory):
  workdir = str(tmp_path_factory.mktemp('adv') / 'run')
  loop.train_and_evaluate(load_config('configs/adversarial/fmnist_standard.py', 'smoke'), workdir,
                          progress=False)
  return workdir


def test_card_on_a_finished_run(finished):
  card = dict(type='robustness', attacks=('noise', 'fgsm', 'pgd', 'pgd_l2', 'ibp'),
              eps=(0.0, 0.1), l2_eps=(0.0, 1.0), steps=2, restarts=1, limit=32)
  out = evaluate_cli.evaluate(finished, {'robustness': card})
  assert out['robustness/pgd_eps0'] == pytest.approx(out['robustness/clean'])
  assert out['robustness/ibp_eps0.1'] <= out['robustness/pgd_eps0.1']  # certified <= empirical
  assert 'robustness/checks_failed' in out and 'robustness/check_monotone' in out
  for name in ('robustness_card.md', 'robustness.json', 'robustness_curves.png',
               'adversarial_examples.png'):
    assert os.path.exists(os.path.join(finished, 'plots', name)), name
  text = open(os.path.join(finished, 'plots', 'robustness_card.md')).read()
  assert 'pgd_l2' in text and 'ibp (certified)' in text


@pytest.mark.parametrize('bad, match', [
    (dict(eps=(0.0, -0.1)), 'eps'), (dict(attacks=('deepfool',)), 'not a card row'),
    (dict(eps=(0.1,)), 'contain 0')])
def test_card_refuses_bad_parameters(finished, bad, match):
  with pytest.raises(ConfigError, match=match):
    evaluate_cli.evaluate(finished, {'robustness': dict(type='robustness', **bad)})
