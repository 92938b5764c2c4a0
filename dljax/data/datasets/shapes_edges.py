"""Edge detection on the images of shapes_prompts (dljax.data.datasets.shapes_prompts): kind
'supervised', {'x': B x 32 x 32 x 1 float32 in [0, 1], 'y': B x 32 x 32 int32 exact edge map, 1 where
a pixel's right or lower neighbour belongs to another region (another shape or the background)}.

Meant as the training data of a supervised (HED-like) edge detector and the ground truth of a
zero-shot edge study (seed 001 c42); neither the config nor the study is built yet.
Splits, sizes and seeds: those of shapes_prompts (data.num_train / num_val / num_test, data_seed).
"""
from dljax.data import splits
from dljax.data.datasets import shapes_prompts

NAMES = ('shapes_edges',)
KIND = 'supervised'
CLASSES = ('background', 'edge')


def load(data_cfg, split):
  arrays = shapes_prompts.load_with_edges(data_cfg, split)
  return {'x': arrays['x'], 'y': arrays['edges'].astype('int32')}


def info(data_cfg):
  del data_cfg
  return splits.Info('supervised', shape=(shapes_prompts.SIZE, shapes_prompts.SIZE, 1),
                     num_classes=len(CLASSES), class_names=CLASSES, value_range=(0.0, 1.0))
