"""Test settings shared by the whole suite."""
import os
import sys

import jax

jax.config.update('jax_numpy_rank_promotion', 'raise')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
  sys.path.insert(0, ROOT)
