"""Task kinds. `TASKS` maps a config's `task` field to its class."""
from dljax.train.tasks.classification import Classification
from dljax.train.tasks.dense import Denoise, Segment
from dljax.train.tasks.gan import GAN

TASKS = {'classification': Classification, 'gan': GAN, 'denoise': Denoise, 'segment': Segment}
