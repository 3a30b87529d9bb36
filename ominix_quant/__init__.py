__version__ = "0.0.1"

from .blas import preload as _preload
_preload()  # an optimized BLAS for MLX's CPU matmuls, loaded before anything imports mlx.core (nbs/00c_blas.ipynb)
