"""User-facing errors: each is printed as one line that names the fix (no traceback unless --debug)."""


class DljaxError(Exception):
  """Base class of the errors the launcher prints as one clear line."""


class ConfigError(DljaxError):
  """A config value is unknown, of the wrong type or impossible."""


class DataError(DljaxError):
  """A dataset is unknown, missing or damaged."""


class WorkdirError(DljaxError):
  """The workdir cannot be used for this run."""


class NonFiniteError(DljaxError):
  """The loss or the gradients became NaN/Inf."""
