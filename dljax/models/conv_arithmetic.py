"""Conv arithmetic: output sizes and parameter counts, as closed formulas (tested against modules).

Output sizes (input n, kernel k, stride s, padding p, dilation d):
  conv / pool     floor((n + 2p - d(k - 1) - 1) / s) + 1
  transposed conv (n - 1) s - 2p + d(k - 1) + output_padding + 1

Parameters of one layer mapping an H x W x C_in image to an H' x W' x C_out image (with biases):
  fully connected     (H W C_in) (H' W' C_out) + H' W' C_out
  locally connected   H' W' (k^2 C_in C_out + C_out)   (a k x k filter per output position, unshared)
  convolution         k^2 C_in C_out + C_out           (one filter shared by every position)
"""


def conv_size(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
  """floor((n + 2p - d(k - 1) - 1) / s) + 1; also max/average pooling's output size."""
  return (n + 2 * p - d * (k - 1) - 1) // s + 1


def transposed_conv_size(n: int, k: int, s: int = 1, p: int = 0, d: int = 1,
                         output_padding: int = 0) -> int:
  """(n - 1) s - 2p + d(k - 1) + output_padding + 1 (no extra +1: the notes' first formula is off)."""
  return (n - 1) * s - 2 * p + d * (k - 1) + output_padding + 1


def fc_params(h: int, w: int, c_in: int, h_out: int, w_out: int, c_out: int) -> int:
  return (h * w * c_in) * (h_out * w_out * c_out) + h_out * w_out * c_out


def locally_connected_params(k: int, c_in: int, h_out: int, w_out: int, c_out: int) -> int:
  return h_out * w_out * (k * k * c_in * c_out + c_out)


def conv_params(k: int, c_in: int, c_out: int, bias: bool = True) -> int:
  return k * k * c_in * c_out + (c_out if bias else 0)
