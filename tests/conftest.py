"""Test settings shared by the whole suite."""
import os
import sys

import jax

jax.config.update('jax_numpy_rank_promotion', 'raise')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
  sys.path.insert(0, ROOT)

# Many tests compile the same small steps: share compiled executables between tests and processes.
CACHE = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'dljax-test-jax-cache')
os.environ.setdefault('JAX_COMPILATION_CACHE_DIR', CACHE)
jax.config.update('jax_compilation_cache_dir', os.environ['JAX_COMPILATION_CACHE_DIR'])
jax.config.update('jax_persistent_cache_min_compile_time_secs', 0)
jax.config.update('jax_persistent_cache_min_entry_size_bytes', 0)
