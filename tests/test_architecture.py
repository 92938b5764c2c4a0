"""The codebase's rules that a reviewer would otherwise have to check by hand."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOWER = ('models', 'data', 'optim', 'eval')  # must not depend on the training code above them
# the families of ../shared/DESIGN.md: one name in configs/, experiments/, docs/ and tests/
FAMILIES = ('basics', 'vision', 'sequence', 'language', 'embeddings', 'memory', 'autoencoders',
            'vae', 'gan', 'density', 'adversarial', 'shift', 'interpretability', 'self_supervised',
            'graphs', 'meta', 'rl', 'segmentation', 'statistics')
# tests/ also mirrors dljax/ and holds the globbed config/study tests and the fault tests
TEST_DIRS = ('models', 'data', 'optim', 'eval', 'train', 'configs', 'experiments', 'faults')


def _imports(path):
  tree = ast.parse(path.read_text())
  for node in ast.walk(tree):
    if isinstance(node, ast.Import):
      yield from (a.name for a in node.names)
    elif isinstance(node, ast.ImportFrom) and node.module:
      yield node.module


def test_imports_point_one_way():
  for package in LOWER:
    for path in (ROOT / 'dljax' / package).rglob('*.py'):
      for name in _imports(path):
        assert not name.startswith(('dljax.train', 'experiments', 'configs')), (path, name)
  for path in (ROOT / 'dljax').rglob('*.py'):
    for name in _imports(path):
      assert not name.startswith(('experiments', 'configs')), (path, name)


def test_only_settings_reads_the_environment():
  for path in (ROOT / 'dljax').rglob('*.py'):
    if path.name != 'settings.py':
      text = path.read_text()
      assert 'os.environ' not in text and 'getenv' not in text, path


def test_library_parses_no_flags():
  for path in (ROOT / 'dljax').rglob('*.py'):
    assert 'absl.flags' not in set(_imports(path)) and 'from absl import flags' not in path.read_text(), path


def _folders(path):
  return sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith(('_', '.')))


def test_experiment_side_is_organised_by_family():
  from experiments import study  # pylint: disable=g-import-not-at-top
  assert study.STUDY_DIRS == FAMILIES
  for side, extra in (('configs', ()), ('experiments', ('tools',)), ('docs', ()),
                      ('tests', TEST_DIRS)):
    for name in _folders(ROOT / side):
      assert name in FAMILIES + extra, f'{side}/{name} is not a family of DESIGN.md'
  assert not list((ROOT / 'experiments').glob('*_study.py')), 'studies live in experiments/<family>/'
  assert not (ROOT / 'docs' / 'plots').exists(), 'plots live in docs/<family>/'


def test_configs_do_not_import_experiments():
  for path in (ROOT / 'configs').rglob('*.py'):
    for name in _imports(path):
      assert not name.startswith('experiments'), (path, name)


def test_test_files_have_unique_names():
  """No __init__.py in tests/: pytest imports test modules by basename, so two test files with one
  name would shadow each other."""
  names = [p.name for p in (ROOT / 'tests').rglob('test_*.py')]
  assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
