"The reference semantics is MLX on the CPU: on GPU machines MLX's own kernels differ (see bench/device_semantics.py)."
import ominix_quant  # noqa: F401  first: it loads the optimized BLAS before mlx.core (nbs/00c_blas)
import mlx.core as mx

mx.set_default_device(mx.cpu)
import os
import pytest


@pytest.fixture(scope='session')
def smol(tmp_path_factory):
    "The bundled model's folder, converted into a temporary models folder."
    from ominix_quant.sources import resolve
    d = tmp_path_factory.mktemp('models')
    old = os.environ.get('OMINIX_MODELS'); os.environ['OMINIX_MODELS'] = str(d)
    yield resolve(progress=False)
    if old is None: del os.environ['OMINIX_MODELS']
    else: os.environ['OMINIX_MODELS'] = old
