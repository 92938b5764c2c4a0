"""Translation probes: is a feature map equivariant (it moves with the input) and are logits invariant?

A map F is translation equivariant with stride s if  F(T_k x) = T_{k/s} F(x)  for shifts k that are
multiples of s, where T_k moves the content k pixels to the right (zeros enter on the left). A
stride-1 convolution is exactly equivariant for the circular shift with circular padding; with zero
('SAME') padding or a zero-filled shift it is exact only away from the borders, where the padding /
the content pushed out of the frame changes what the kernel sees. Striding, pooling and patching
make it hold only for shifts that are multiples of the total stride (aliasing in between), and a
learned absolute position embedding (ViT) breaks it everywhere. Global average pooling turns an
equivariant map into (nearly) invariant features: sum_p F(T x)_p = sum_p F(x)_p up to the borders.
"""
import jax
import jax.numpy as jnp
import numpy as np


def translate(x_BxHxWxC, k: int):
  """T_k: the content moves k >= 0 columns to the right; k zero columns enter on the left."""
  if k == 0:
    return x_BxHxWxC
  pad = jnp.zeros_like(x_BxHxWxC[:, :, :k])
  return jnp.concatenate([pad, x_BxHxWxC[:, :, :-k]], axis=2)


def equivariance_error(f_x_BxHxWxC, f_tx_BxHxWxC, k: int, stride: int, border: int = 0) -> float:
  """|| F(T_k x) - T_{k // stride} F(x) || / || F(x) || over the columns [border + k//s, W - border).

  The columns left of k//s hold the zeros T shifted in (nothing to compare with); `border` more
  columns on each side are left out to measure the interior only (border=0: the whole map).
  """
  j = k // stride
  expected = translate(f_x_BxHxWxC, j)
  width = f_x_BxHxWxC.shape[2]
  cols = slice(border + j, width - border)
  diff = (f_tx_BxHxWxC - expected)[:, :, cols]
  return float(jnp.linalg.norm(diff) / jnp.maximum(jnp.linalg.norm(f_x_BxHxWxC[:, :, cols]), 1e-12))


def intermediates(model, variables, x, names):
  """{name: output} of the submodules called `names` (flax capture_intermediates), plus 'logits'."""
  logits, state = model.apply(variables, x, capture_intermediates=True, mutable=['intermediates'])
  found = {}
  flat = jax.tree_util.tree_flatten_with_path(state['intermediates'])[0]
  for path, value in flat:
    keys = '/'.join(str(getattr(p, 'key', getattr(p, 'idx', p))) for p in path)
    for name in names:
      if keys == f'{name}/__call__/0':
        found[name] = value
  missing = sorted(set(names) - set(found))
  if missing:
    raise KeyError(f'no submodule output named {missing}; check the module names of {type(model).__name__}.')
  return {**found, 'logits': logits}


def tokens_to_map(z_BxNxD, grid_hw, cls: bool):
  """ViT tokens -> B x gh x gw x D feature map (dropping the [class] token if there is one)."""
  z = z_BxNxD[:, 1:] if cls else z_BxNxD
  return z.reshape(z.shape[0], grid_hw[0], grid_hw[1], z.shape[-1])


def logit_change(logits_x, logits_tx) -> dict:
  """Relative change of the logits and the fraction of unchanged predictions under a shift."""
  rel = jnp.linalg.norm(logits_tx - logits_x) / jnp.linalg.norm(logits_x)
  same = jnp.mean((logits_tx.argmax(-1) == logits_x.argmax(-1)).astype(jnp.float32))
  return {'relative_change': float(rel), 'same_prediction': float(np.asarray(same))}
