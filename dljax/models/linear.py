"""Linear models: linear/logistic regression and the linear classifier, f(x) = W x + b."""
import flax.linen as nn

from dljax.models.layers import as_flat


class Linear(nn.Module):
  """f(x) = W x + b on the flattened input; num_outputs=1 gives a scalar score (regression, binary)."""
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x, train: bool = False):
    del train
    out = nn.Dense(self.num_outputs)(as_flat(x))
    return out[:, 0] if self.num_outputs == 1 else out
