"""Pure linen modules, one file per family. `MODELS` maps a config's `model.name` to its class."""
import dataclasses

from dljax.errors import ConfigError
from dljax.models import diffusion, flows
from dljax.models import (autoencoders, bert, cnn, convnext, densenet, embeddings, gnn, inception,
                          lenet, linear, mae, mlp, ntm, resnet, rl, rnn, seq2seq, swin, transformer,
                          unet, universal_transformer, vae, vgg, vit, xor)
from dljax.models import ssl  # self-supervised encoders and heads
from dljax.models import sam

MODELS = {
    'linear': linear.Linear,
    'flow2d': flows.Flow2D,
    'realnvp': flows.RealNVP,
    'time_unet': diffusion.TimeUNet,
    'mlp': mlp.MLP,
    'cnn': cnn.CNN,
    'cnn1d': cnn.CNN1D,
    'gap_cnn': cnn.GapCNN,
    'xor_handset': xor.HandsetXOR,
    'mlp_resid': mlp.ResidualMLP,
    'lenet': lenet.LeNet5,
    'vgg': vgg.VGG,
    'resnet': resnet.ResNet,
    'densenet': densenet.DenseNet,
    'inception': inception.Inception,
    'swin': swin.Swin,
    'vit': vit.ViT,
    'gpt': transformer.LM,
    'transformer': transformer.EncoderDecoder,
    'seq2seq_lstm': seq2seq.Seq2SeqLSTM,
    'unshared_net': rnn.UnsharedDeepNet,
    'seq_classifier': rnn.SequenceClassifier,
    'rnn_lm': rnn.RecurrentLM,
    'convnext': convnext.ConvNeXt,
    'mae': mae.MAE,
    'skipgram': embeddings.SkipGram,
    'cbow': embeddings.CBOW,
    'fasttext': embeddings.FastText,
    'glove': embeddings.GloVe,
    'unet': unet.UNet,
    'ntm': ntm.NTM,
    'rnn_tagger': ntm.RecurrentTagger,
    'universal_transformer': universal_transformer.UniversalTransformer,
    'bert': bert.BertPretrain,
    'bert_classifier': bert.BertClassifier,
    'linear_ae': autoencoders.LinearAE,
    'mlp_ae': autoencoders.MLPAE,
    'gnn': gnn.GNN,
    'vae': vae.VAE,
    'vqvae': vae.VQVAE,
    'q_network': rl.QNetwork,
    'dueling_q_network': rl.DuelingQNetwork,
    'policy_value': rl.PolicyValue,
    'conv_ae': autoencoders.ConvAE,
    'ssl_net': ssl.SSLNet,
    'sam': sam.SAM,
    'seq_transformer': transformer.SequenceTransformer,
}


def build(model_cfg):
  """Instantiates the model that `model_cfg` names.

  Flat form:     model.name='mlp', model.hidden=(256,), ...   -> MODELS['mlp'](hidden=(256,), ...)
  Variant form:  model.name='cnn', model.cnn=dict(arch='cnn1d', channels=25), model.mlp=...
                 -> MODELS['cnn1d'](channels=25): a config can offer several models and switch
                 between them with --config.model.name=... alone.
  Sizes:         model.size='B/16' (any model class with a SIZES table: vit, swin, convnext, gpt,
                 transformer) sets the fields of that row of the table, over the config's values
                 of those fields (the other fields, e.g. num_outputs, vocab_size, come from the
                 config); model.size='' (or no size) keeps the config's own fields.
  """
  variant = model_cfg.get(model_cfg.name, None)
  if variant is not None and hasattr(variant, 'items'):
    kwargs = {k: v for k, v in variant.items() if k != 'arch'}
    arch, where = variant.get('arch', model_cfg.name), f'model.{model_cfg.name}'
  else:
    kwargs = {k: v for k, v in model_cfg.items() if k != 'name'}
    arch, where = model_cfg.name, 'model'
  if arch not in MODELS:
    raise ConfigError(f'model.name={model_cfg.name!r} is unknown; use one of {sorted(MODELS)}'
                      + (f' or {sorted(k for k, v in model_cfg.items() if hasattr(v, "items"))}'
                         if variant is None else '') + '.')
  cls = MODELS[arch]
  size = kwargs.pop('size', '')
  if size:
    table = getattr(cls, 'SIZES', None)
    if not table:
      raise ConfigError(f'{where}.size={size!r}: {cls.__name__} has no table of reference sizes; '
                        f"set {where}.size=''.")
    if size not in table:
      raise ConfigError(f'{where}.size={size!r} is unknown; use one of {list(table)}.')
    kwargs.update(table[size])
  fields = {f.name for f in dataclasses.fields(cls) if f.init} - {'parent', 'name'}
  unknown = sorted(set(kwargs) - fields)
  if unknown:
    raise ConfigError(f'{where}.{unknown[0]} is not a field of {cls.__name__}; '
                      f'its fields are {sorted(fields)}.')
  return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()})
