"""Task kinds. `TASKS` maps a config's `task` field to its class."""
from dljax.train.tasks.adversarial import AdversarialTraining
from dljax.train.tasks.arith import Arithmetic
from dljax.train.tasks.autoencode import Autoencode
from dljax.train.tasks.bert import BertPretrain
from dljax.train.tasks.classification import Classification
from dljax.train.tasks.contrastive import MoCo, Siamese, SimCLR
from dljax.train.tasks.dense import Denoise, Segment
from dljax.train.tasks.diffusion import Diffusion
from dljax.train.tasks.distillation import BYOL, DINO
from dljax.train.tasks.ema import MeanTeacher
from dljax.train.tasks.embeddings import GloVe, Word2Vec
from dljax.train.tasks.flow import FlowTask
from dljax.train.tasks.gan import GAN, ImageGAN
from dljax.train.tasks.graph import GraphClassification, NodeClassification, NodeEmbedding
from dljax.train.tasks.icl import InContext
from dljax.train.tasks.lm import LanguageModel
from dljax.train.tasks.maml import MAML
from dljax.train.tasks.mae import MAEPretrain
from dljax.train.tasks.policy_gradient import PolicyGradient
from dljax.train.tasks.promptable import PromptableSegment
from dljax.train.tasks.pretext import ContextPrediction, Inpainting, Rotation
from dljax.train.tasks.rl import DQN
from dljax.train.tasks.seq2seq import Seq2Seq
from dljax.train.tasks.sequence_io import SequenceIO
from dljax.train.tasks.vae import VAETask, VQVAETask

TASKS = {
    'adversarial': AdversarialTraining,
    'autoencode': Autoencode,
    'bert_pretrain': BertPretrain,
    'byol': BYOL,
    'classification': Classification,
    'context_prediction': ContextPrediction,
    'denoise': Denoise,
    'diffusion': Diffusion,
    'dino': DINO,
    'dqn': DQN,
    'flow': FlowTask,
    'gan': GAN,
    'glove': GloVe,
    'graph_classification': GraphClassification,
    'icl': InContext,
    'image_gan': ImageGAN,
    'inpainting': Inpainting,
    'lm': LanguageModel,
    'mae': MAEPretrain,
    'maml': MAML,
    'mean_teacher': MeanTeacher,
    'moco': MoCo,
    'node_classification': NodeClassification,
    'node_embedding': NodeEmbedding,
    'policy_gradient': PolicyGradient,
    'promptable_segment': PromptableSegment,
    'rotation': Rotation,
    'segment': Segment,
    'seq2seq': Seq2Seq,
    'sequence_io': SequenceIO,
    'siamese': Siamese,
    'simclr': SimCLR,
    'vae': VAETask,
    'vqvae': VQVAETask,
    'word2vec': Word2Vec,
    'arith': Arithmetic,
}

