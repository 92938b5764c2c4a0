"""The codebase's rules that a reviewer would otherwise have to check by hand."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOWER = ('models', 'data', 'optim', 'eval')  # must not depend on the training code above them


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
