"""experiments/embeddings/word_embeddings.py: the trained runs are the configs' own presets."""
import numpy as np
import pytest

from configs.embeddings import fasttext, glove, word2vec
from experiments.embeddings import word_embeddings


def test_cpu_runs_are_the_configs_cpu_presets():
  runs = dict(word_embeddings.runs('cpu', '/unused'))
  assert list(runs) == ['skipgram', 'cbow', 'fasttext', 'glove']
  assert runs['skipgram'].to_dict() == word2vec.get_config('cpu').to_dict()
  cbow = word2vec.get_config('cpu')
  cbow.model.name = 'cbow'
  assert runs['cbow'].to_dict() == cbow.to_dict()
  assert runs['fasttext'].to_dict() == fasttext.get_config('cpu').to_dict()
  assert runs['glove'].to_dict() == glove.get_config('cpu').to_dict()


def test_evaluate_lists_neighbours_and_the_mean_cosine():
  words = ('<unk>', 'a', 'b', 'c', 'd')
  vectors = np.array([[0, 0], [1, 0], [1, 0.1], [0, 2], [-3, 0]], float)
  out = word_embeddings.evaluate(vectors, words, ('a', 'absent'), {'wall_s': 1.0})
  assert out['neighbours'] == {'a': ['b', 'c', 'd']}   # by cosine; '<unk>' and the query excluded
  u = vectors[1:] / np.linalg.norm(vectors[1:], axis=1, keepdims=True)
  cos = u @ u.T
  assert out['mean_cosine_top1000'] == pytest.approx((cos.sum() - 4) / 12)
  assert out['analogies']['accuracy'] == 0.0 and out['wall_s'] == 1.0   # no analogy word known


def test_unknown_preset_names_the_presets():
  with pytest.raises(ValueError, match="'cpu', 'smoke'"):
    list(word_embeddings.runs('full', '/unused'))
