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


def cli(argv) -> str:
    "Run the command line with `argv`; what it printed (it must succeed)."
    import contextlib, io
    from ominix_quant.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out): assert main(argv) == 0
    return out.getvalue()


def main_raise(argv):
    "Run the command line and turn its exit code 1 into the error it printed (a ValueError)."
    import contextlib, io
    from ominix_quant.cli import main
    err = io.StringIO()
    with contextlib.redirect_stderr(err): rc = main(argv)
    if rc: raise ValueError(err.getvalue())
    return rc
