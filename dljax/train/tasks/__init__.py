"""Task kinds. `TASKS` maps a config's `task` field to its class."""
from dljax.train.tasks.classification import Classification
from dljax.train.tasks.gan import GAN
from dljax.train.tasks.mae import MAEPretrain

TASKS = {'classification': Classification, 'gan': GAN, 'mae': MAEPretrain}
