"""dljax: a deep-learning curriculum as pure-functional JAX/Flax modules and reproducible experiments."""
