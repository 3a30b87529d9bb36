"Fitted grids (QuantSpec(..., fit=True)): never worse than MLX's grid, exact where an affine grid exists, same format."
import numpy as np
import mlx.core as mx
import pytest
from ominix_quant.affine import QuantSpec
from ominix_quant.kernels import quantize_fast, group_error
from ominix_quant.policy import Policy, Rule, KEEP
from test_affine import adversarial


def group_sse(w, wq, s, b, gs, bits):
    "Per-group Σ error² (float64) of MLX's own float32 dequantization of (wq, s, b)."
    d = mx.dequantize(wq, s.astype(mx.float32), b.astype(mx.float32), group_size=gs, bits=bits)
    e = np.asarray(d).astype(np.float64) - np.asarray(w.astype(mx.float32)).astype(np.float64)
    return (e ** 2).reshape(-1, gs).sum(-1)


@pytest.mark.parametrize('dtype', [mx.float32, mx.float16, mx.bfloat16])
@pytest.mark.parametrize('bits,gs', [(2, 32), (3, 64), (4, 32), (4, 64), (5, 128), (6, 64), (8, 64), (1, 32)])
def test_never_worse_than_mlx(dtype, bits, gs):
    w = adversarial(24, 256, dtype, seed=bits * gs)
    mlx_ = mx.quantize(w, gs, bits)
    fit = quantize_fast(w, gs, bits, fit=True)
    assert all(a.dtype == c.dtype and a.shape == c.shape for a, c in zip(fit, mlx_))  # the same format
    e_mlx, e_fit = group_sse(w, *mlx_, gs, bits), group_sse(w, *fit, gs, bits)
    ok = np.isfinite(e_mlx)  # float16 rows near 65504 overflow MLX's own scale; the fit cannot store a finite one either
    assert np.isfinite(e_fit[ok]).all()
    # the fit judges its candidates in float32: within a few float32 steps of the group's largest weight, grids tie
    ulp = np.spacing(np.abs(np.asarray(w.astype(mx.float32))).reshape(-1, gs).max(-1))
    assert (e_fit[ok] <= (e_mlx * (1 + 1e-4) + 4 * gs * ulp ** 2)[ok]).all(), np.argmax(e_fit - e_mlx)


def test_recovers_an_exact_affine_grid():
    "Weights that sit exactly on a 4-bit min/max grid per group (a dequantized Q4_1, say) are found again exactly."
    rng = np.random.default_rng(0)
    rows, cols, gs = 64, 256, 32
    q = rng.integers(0, 16, (rows, cols // gs, gs)).astype(np.float32)
    q[..., 0], q[..., 1] = 0, 15  # every group spans the whole grid
    s = (rng.integers(1, 64, (rows, cols // gs, 1)) * 2.0 ** -10).astype(np.float32)
    b = (-rng.integers(0, 8 * 64, (rows, cols // gs, 1)) * 2.0 ** -10).astype(np.float32)
    w = mx.array((q * s + b).reshape(rows, cols))  # exact in float32
    e_fit = group_sse(w, *quantize_fast(w, gs, 4, fit=True), gs, 4)
    e_mlx = group_sse(w, *mx.quantize(w, gs, 4), gs, 4)
    assert e_fit.max() == 0 and e_mlx.sum() > 0


def test_error_pass_measures_the_fitted_grid():
    w = adversarial(16, 128, mx.bfloat16, seed=3)
    ge = group_error(w, 64, 4, deq=True, fit=True)
    ref = mx.dequantize(*quantize_fast(w, 64, 4, fit=True), group_size=64, bits=4)
    assert np.array_equal(ge.deq, np.asarray(ref.astype(mx.float32))) and str(ge.spec) == '4-bit g64 fit'


def test_nan_weights_are_refused():
    w = mx.array(np.where(np.arange(8 * 64).reshape(8, 64) == 70, np.nan, 1.0).astype(np.float32))
    with pytest.raises(ValueError, match='1 NaN/Inf weight'): quantize_fast(w, 32, 4, fit=True, name='layers.0.q')


def test_spec_text_and_policy_json():
    spec = QuantSpec(4, 32, fit=True)
    assert str(spec) == '4-bit g32 fit' and QuantSpec.parse(str(spec)) == spec and QuantSpec.parse('4-bit g32') != spec
    pol = Policy((Rule(KEEP, '*embed*'), Rule(QuantSpec(6, 64, fit=True), '*down_proj')), spec, 'fitted')
    assert Policy.from_json(pol.to_json()) == pol
