"The kernel's integer rounding to bfloat16/float16 against numpy's and MLX's own conversions."
import numpy as np
import mlx.core as mx
from ominix_quant.floats import _round_to, _f16_to_f32


def rounded(bits_u32, kind):
    u = bits_u32.copy(); h = np.empty_like(u); t = np.empty(u.size, np.float32)
    _round_to(kind, u, h, t)
    return u.view(np.float32)


def spread(n=1 << 22, seed=0):
    "Float32 bit patterns spread over every exponent, plus halfway cases and the specials."
    rng = np.random.default_rng(seed)
    u = rng.integers(0, 2 ** 32, n, dtype=np.uint64).astype(np.uint32)
    ties = (rng.integers(0, 2 ** 16, n // 8, dtype=np.uint64).astype(np.uint32) << 16) | np.uint32(0x8000)  # bf16 ties
    hties = (rng.integers(0, 2 ** 19, n // 8, dtype=np.uint64).astype(np.uint32) << 13) | np.uint32(0x1000)  # f16 ties
    return np.concatenate([u, ties, hties])


def test_float16_rounding_matches_numpy():
    u = spread()
    with np.errstate(over='ignore'):
        ref = u.view(np.float32).astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(rounded(u, 2), ref)


def test_bfloat16_rounding_matches_mlx():
    u = spread(seed=1)
    u = u[(u & 0x7F800000) != 0x7F800000]  # NaN payloads: both are NaN, bits may differ
    ref = np.asarray(mx.array(u.view(np.float32)).astype(mx.bfloat16).astype(mx.float32))
    np.testing.assert_array_equal(rounded(u, 1), ref)


def test_every_half_expands_exactly():
    h = np.arange(1 << 16, dtype=np.uint32)
    u = np.empty_like(h); t = np.empty(h.size, np.float32)
    _f16_to_f32(h, u, t)
    np.testing.assert_array_equal(u.view(np.float32), h.astype(np.uint16).view(np.float16).astype(np.float32))
