"""The procedural glyphs dataset: deterministic, class-disjoint splits, bad sizes refused."""
import ml_collections
import numpy as np
import pytest

from dljax.data.datasets import glyphs
from dljax.errors import ConfigError


def _cfg(**kw):
  return ml_collections.ConfigDict({'name': 'glyphs', 'glyph_classes': 20, 'glyph_examples': 3,
                                    **kw})


def test_meta_glyphs_render_is_a_pure_function_of_class_and_example():
  a, b = glyphs.render(7, [0, 1]), glyphs.render(7, [1])
  np.testing.assert_array_equal(a[1], b[0])
  assert a.dtype == np.uint8 and a.shape == (2, 28, 28)
  assert a.max() == 255 and (a == 0).mean() > 0.5     # ink on a blank page
  assert np.abs(a[0].astype(int) - a[1]).sum() > 0       # two drawers differ


def test_meta_glyphs_splits_are_class_disjoint():
  ys = {s: set(glyphs.load(_cfg(), s)['y'].tolist()) for s in ('train', 'validation', 'test')}
  assert len(ys['train']) == 14 and len(ys['validation']) == 2 and len(ys['test']) == 4
  assert not ys['train'] & ys['test'] and not ys['train'] & ys['validation']
  assert not ys['validation'] & ys['test']


def test_meta_glyphs_refuses_too_few_classes():
  with pytest.raises(ConfigError, match='glyph_classes'):
    glyphs.info(_cfg(glyph_classes=5))
