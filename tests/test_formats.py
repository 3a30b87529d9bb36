"MLX's floating-point formats where they meet the allocator: per-layer choices among affine specs and formats, on genuine weights (MiniLM)."


def test_allocation_mixes_formats():
    "The allocator chooses among affine specs and MLX's formats per layer; the policy it makes quantizes and is what it predicts."
    from ominix_quant.affine import QuantSpec
    from ominix_quant.evaluate import EmbeddingEvaluator
    from ominix_quant.sensitivity import Sensitivity, allocate
    emb = EmbeddingEvaluator(n_sentences=32)
    sens = Sensitivity(emb, (QuantSpec(4, 64), QuantSpec(8, 64), QuantSpec.of('nvfp4'), QuantSpec.of('mxfp8')), n_tokens=256, progress=False)
    alloc = allocate(sens, bpw=6.0)
    used = {s for s in alloc.table.spec}
    assert used & {'nvfp4', 'mxfp8'} and used & {'4-bit g64', '8-bit g64'}
    q = emb.quality(alloc.policy)
    assert abs(q.bpw - 8 * alloc.total_bytes / alloc.params) < 1e-6 and q.cosine > 0.99


import numpy as np
import mlx.core as mx
import pytest

FORMATS = (('mxfp4', 32, 4), ('nvfp4', 16, 4), ('mxfp8', 32, 8))


def _awkward(seed=0):
    "Heavy-tailed rows plus the cases where rounding rules show: zero, tiny (nvfp4 flushes) and huge groups, exact powers of two, ties."
    rng = np.random.default_rng(seed)
    x = rng.standard_t(2, (96, 256)).astype(np.float32) * 0.02
    x[0] = 0; x[1] *= 1e-5; x[2] *= 1e4
    x[3] = 2.0 ** rng.integers(-20, 8, 256) * rng.choice([-1, 1], 256)
    x[4] = rng.choice([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5, 6], 256) * 2.0 ** -4 * rng.choice([-1, 1], 256)  # E2M1 ties
    x[5] = rng.choice([1.0625, 1.1875, 17, 19, 2.0 ** -10], 256)  # E4M3 ties
    return x


@pytest.mark.parametrize('mode,gs,bits', FORMATS)
@pytest.mark.parametrize('dtype', ['float32', 'bfloat16', 'float16'])
def test_format_kernels_equal_mlx(mode, gs, bits, dtype):
    "Our kernels' codes, scale bytes, dequantized weights and error sums are MLX's, bit for bit, on awkward weights in every dtype."
    from ominix_quant.kernels import group_error, quantize_fast
    w = mx.array(_awkward()).astype(getattr(mx, dtype))
    ref_q, ref_s = mx.quantize(w, gs, bits, mode, stream=mx.cpu)
    wq, s, b = quantize_fast(w, gs, bits, mode=mode)
    assert b is None and mx.array_equal(wq, ref_q).item() and mx.array_equal(s, ref_s).item() and s.dtype == mx.uint8
    ref = np.asarray(mx.dequantize(ref_q, ref_s, None, gs, bits, mode, dtype=mx.float32, stream=mx.cpu))
    ge = group_error(w, gs, bits, mode=mode, deq=True)
    np.testing.assert_array_equal(ge.deq, ref)
    e = ref.astype(np.float64) - np.asarray(w.astype(mx.float32), np.float64)
    np.testing.assert_allclose(ge.sse, (e.reshape(96, -1, gs) ** 2).sum(-1), rtol=1e-5, atol=1e-30)
    assert ge.flushed == int(((np.abs(ref).reshape(96, -1, gs).max(-1) == 0) & (ge.wmax > 0)).sum())


def test_format_kernel_refuses_nan_with_the_layer_name():
    from ominix_quant.kernels import group_error, quantize_fast
    w = mx.array(_awkward()); w[7, 3] = float('nan')
    with pytest.raises(ValueError, match=r'layers.2.mlp: 1 NaN/Inf weight\(s\), first in row 7'):
        group_error(w, 16, 4, mode='nvfp4', name='layers.2.mlp')
    with pytest.raises(ValueError, match='layers.2.mlp: 1 NaN/Inf'): quantize_fast(w, 32, 4, mode='mxfp4', name='layers.2.mlp')
    assert group_error(w, 32, 8, mode='mxfp8', on_bad='flag').nonfinite == 1


def test_quantized_activations_swap_the_format_layers_and_compute_like_qqmm():
    "activations='nvfp4' swaps exactly the bias-free nvfp4 linears for nn.QQLinear over the same codes; one row computes what mx.qqmm does."
    import mlx.nn as nn
    from ominix_quant.convert import apply
    from ominix_quant.fixtures import tiny_model
    from ominix_quant.policy import Policy, Rule
    from ominix_quant.affine import QuantSpec
    from ominix_quant.runners.llm import quantize_activations
    model = tiny_model('llama')
    apply(model, Policy((Rule(QuantSpec.of('nvfp4'), '*.mlp.*'),), QuantSpec(8, 64), 'mixed'))
    before = {p: m for p, m in model.named_modules() if isinstance(m, nn.QuantizedLinear) and m.mode == 'nvfp4'}
    assert before and quantize_activations(model, 'nvfp4') == len(before)
    after = dict(model.named_modules())
    assert all(type(after[p]) is nn.QQLinear for p in before)
    assert any(type(m) is nn.QuantizedLinear and m.mode == 'affine' for m in after.values())  # the 8-bit layers stay
    p = next(iter(before)); q = after[p]
    x = mx.random.normal((1, q.weight.shape[1] * 8)).astype(mx.bfloat16)
    assert mx.array_equal(q(x), mx.qqmm(x, before[p].weight, before[p].scales, mode='nvfp4')).item()
    assert quantize_activations(model, 'mxfp8') == 0


def test_quantized_activations_refused_where_mlx_cannot():
    from ominix_quant.runners.llm import LLMRunner, _qq_unsupported
    from ominix_quant.policy import Policy
    from ominix_quant.affine import QuantSpec
    if _qq_unsupported('mxfp8') is None: pytest.skip('this device runs mx.qqmm')
    with pytest.raises(ValueError, match=r"activations='mxfp8': MLX .* cannot quantize activations on .*Run with activations='auto'"):
        LLMRunner(policy=Policy((), QuantSpec.of('mxfp8')), activations='mxfp8', progress=False)
