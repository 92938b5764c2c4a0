"""Task kinds. `TASKS` maps a config's `task` field to its class."""
from dljax.train.tasks.classification import Classification
from dljax.train.tasks.gan import GAN
from dljax.train.tasks.lm import LanguageModel
from dljax.train.tasks.seq2seq import Seq2Seq
from dljax.train.tasks.sequence_io import SequenceIO

TASKS = {'classification': Classification, 'gan': GAN, 'lm': LanguageModel, 'seq2seq': Seq2Seq,
         'sequence_io': SequenceIO}
