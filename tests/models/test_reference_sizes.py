"""Golden parameter counts of the reference sizes (ViT, Swin, ConvNeXt, GPT-3, the Transformer).

Counted with jax.eval_shape (shapes only: GPT-3 175B needs no memory) at the published input
(224 x 224 x 3 and a 1000-class head; GPT-3 n_ctx 2048 and vocabulary 50257; the Transformer's
shared 37000-token vocabulary). Two checks per size:
  exact      vision: equal, to the parameter, to the reference implementation's count (timm /
             the authors' code), which shows the module is the paper's architecture one for one
  published  within the paper's rounding: half a unit of the printed digit (86.6M -> +-0.05M),
             or a stated wider tolerance where the printed number is not reproducible from the
             paper's own architecture (ViT-L 307M: 1 %; GPT-3's loosely rounded names: 2 %; the
             Transformer's 65M / 213M, which no single vocabulary reproduces: 5 %). Each row's
             `why` in dljax.models.sizes.PUBLISHED says which.
"""
import jax
import jax.numpy as jnp
import ml_collections
import pytest

from configs.language import shakespeare_gpt
from configs.sequence import cmudict_transformer
from configs.vision import fmnist_convnext, fmnist_swin, fmnist_vit
from dljax import models
from dljax.errors import ConfigError
from dljax.models import sizes, transformer, vit
from experiments.tools import results

ROWS = [(family, size) for family in sizes.FAMILIES for size in sizes.table(family)]
# our exact counts (a regression golden for the sizes without a reference-code count)
GOLDEN = {
    ('gpt3', 'small'): 125_226_240, ('gpt3', 'medium'): 355_871_744,
    ('gpt3', 'large'): 760_300_032, ('gpt3', 'xl'): 1_315_723_264,
    ('gpt3', '2.7B'): 2_651_553_280, ('gpt3', '6.7B'): 6_658_404_352,
    ('gpt3', '13B'): 12_853_386_240, ('gpt3', '175B'): 174_604_259_328,
    ('vaswani', 'base'): 63_082_496, ('vaswani', 'big'): 214_245_376,
}


@pytest.fixture(scope='module')
def counts():
  return {(f, s): sizes.count(*sizes.reference(f, s)) for f, s in ROWS}


@pytest.mark.parametrize('family,size', ROWS)
def test_count_within_published_rounding(counts, family, size):
  ours, published = counts[family, size], sizes.PUBLISHED[family][size]
  assert sizes.within(ours, published), (
      f'{family} {size}: {ours:,} vs published {published["params"]:,.0f} '
      f'({sizes.relative_error(ours, published["params"]):+.2%}; tolerance {published["tol"]:.2%}: '
      f'{published["why"]})')


@pytest.mark.parametrize('family,size', ROWS)
def test_count_exact(counts, family, size):
  exact = sizes.PUBLISHED[family][size]['exact'] or GOLDEN[family, size]
  assert counts[family, size] == exact


def test_gpt3_closed_form_and_erratum(counts):
  """N = L (12 d^2 + 13 d) + (V + n_ctx) d + 2 d; 13B uses d_model 5120 = 40 x 128 (erratum E7)."""
  for size, row in transformer.GPT3_SIZES.items():
    assert counts['gpt3', size] == sizes.gpt3_count(row['d_model'], row['num_layers'])
  assert transformer.GPT3_SIZES['13B']['d_model'] == 40 * 128
  assert transformer.GPT3_SIZES['13B']['d_model'] // transformer.GPT3_SIZES['13B']['num_heads'] == 128
  # the printed 5140 is not divisible into 40 heads
  with pytest.raises(ValueError, match='divisible'):
    sizes.count(transformer.LM(vocab_size=10, d_model=5140, num_heads=40, num_layers=1),
                (jax.ShapeDtypeStruct((1, 4), jnp.int32),))


def test_vaswani_base_is_512_8x64_6_layers():
  row = transformer.VASWANI_SIZES['base']
  assert (row['d_model'], row['num_heads'], row['d_model'] // row['num_heads'],
          row['num_layers'], row['mlp_ratio'] * row['d_model']) == (512, 8, 64, 6, 2048)
  model, inputs = sizes.reference('vaswani', 'base')
  params = sizes.abstract_params(model, inputs)['params']
  assert 'tgt_embed' in params and 'src_embed' not in params   # one shared table
  assert params['tgt_embed']['tokens']['embedding'].shape == (37000, 512)


def test_share_embeddings_off_keeps_the_tree_and_checks_vocab():
  tok = jax.ShapeDtypeStruct((1, 4), jnp.int32)
  small = dict(d_model=16, num_heads=2, num_layers=1, max_len=8)
  separate = sizes.abstract_params(transformer.EncoderDecoder(11, 13, **small), (tok, tok))
  assert {'src_embed', 'tgt_embed'} <= set(separate['params'])
  shared = transformer.EncoderDecoder(11, 11, share_embeddings=True, **small)
  n_sep = sizes.count(transformer.EncoderDecoder(11, 11, **small), (tok, tok))
  assert n_sep - sizes.count(shared, (tok, tok)) == 11 * 16
  with pytest.raises(ValueError, match='share_embeddings'):
    sizes.count(transformer.EncoderDecoder(11, 13, share_embeddings=True, **small), (tok, tok))


def test_vit_cls_pos_embedding_adds_one_row_of_e_pos():
  image = jax.ShapeDtypeStruct((1, 28, 28, 1), jnp.float32)
  base = dict(patch=4, width=16, depth=1, num_heads=2, mlp_dim=32)
  n0 = sizes.count(vit.ViT(**base), (image,))
  assert sizes.count(vit.ViT(cls_pos_embedding=True, **base), (image,)) - n0 == 16
  model = vit.ViT(cls_pos_embedding=True, **base)
  variables = sizes.abstract_params(model, (image,))
  assert jax.eval_shape(model.apply, variables, image).shape == (1, 10)


@pytest.mark.parametrize('module,size,field,value', [
    (fmnist_vit, 'B/16', 'width', 768), (fmnist_swin, 'T', 'embed_dim', 96),
    (fmnist_convnext, 'B', 'widths', (128, 256, 512, 1024)),
    (shakespeare_gpt, '175B', 'd_model', 12288), (cmudict_transformer, 'big', 'd_model', 1024)])
def test_size_from_config_keeps_the_hash(module, size, field, value):
  config = module.get_config('cpu')
  assert config.model.size == ''
  own = models.build(config.model)
  sha = results.config_sha(config)
  without = module.get_config('cpu')
  del without.model['size']
  assert results.config_sha(without) == sha   # the key with '' is the experiment it was before
  config.model.size = size
  assert getattr(models.build(config.model), field) == value
  assert results.config_sha(config) != sha
  assert getattr(own, field) != value


def test_unknown_size_and_model_without_table():
  config = fmnist_vit.get_config('smoke')
  config.model.size = 'B/15'
  with pytest.raises(ConfigError, match='B/16'):
    models.build(config.model)
  with pytest.raises(ConfigError, match='no table'):
    models.build(ml_collections.ConfigDict(dict(name='mlp', size='B')))
