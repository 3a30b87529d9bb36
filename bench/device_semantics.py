"""How far MLX's own quantize/dequantize on this device's GPU differ from MLX on the CPU (the reference we match).

Run on a machine with an MLX GPU backend: python bench/device_semantics.py
For each dtype and spec it reports, on a real-looking random matrix (normal, plus rows with a negative mean):
the share of groups whose scales / biases differ, of codes that differ, and of dequantized values that differ
when both devices dequantize the *same* arrays; and which known difference explains them
(GPU kernels start the group max at 0, round half away from zero, and may fuse multiply-add).
"""
import json, sys
import numpy as np
import mlx.core as mx
from ominix_quant.affine import unpack

def matrix(dtype, rows=1024, cols=4096, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((rows, cols)).astype(np.float32) * 0.02
    w[: rows // 8] -= 0.05  # rows with a negative mean: some all-negative groups
    return mx.array(w).astype(dtype)

def share(a, b): return float(np.mean(np.asarray(mx.not_equal(a, b))))

def main():
    if mx.default_device() == mx.cpu: sys.exit('no GPU backend: nothing to compare')
    out = {}
    for dt in (mx.float32, mx.float16, mx.bfloat16):
        w = matrix(dt)
        for bits, gs in ((8, 64), (4, 64), (4, 32), (3, 64), (2, 128), (6, 64), (5, 32)):
            g = mx.quantize(w, gs, bits, stream=mx.gpu); c = mx.quantize(w, gs, bits, stream=mx.cpu)
            wg = w.reshape(w.shape[0], -1, gs)
            hi_c = wg.max(-1); all_neg = hi_c < 0
            codes_g, codes_c = unpack(g[0], bits), unpack(c[0], bits)
            dq_g = mx.dequantize(*c, group_size=gs, bits=bits, stream=mx.gpu)
            dq_c = mx.dequantize(*c, group_size=gs, bits=bits, stream=mx.cpu)
            sc_diff = mx.not_equal(g[1], c[1])
            r = dict(scales_differ=share(g[1], c[1]), biases_differ=share(g[2], c[2]), codes_differ=share(codes_g, codes_c),
                     all_negative_groups=float(np.mean(np.asarray(all_neg))),
                     scale_diffs_in_all_negative_groups=float(np.asarray((sc_diff & all_neg).sum()).item() / max(np.asarray(sc_diff.sum()).item(), 1)),
                     dequantize_differs=share(dq_g, dq_c))
            out[f'{str(dt).split(".")[-1]} {bits}-bit g{gs}'] = r
            print(f'{str(dt).split(".")[-1]:9s} {bits}-bit g{gs:<4d}', '  '.join(f'{k} {v:.4%}' for k, v in r.items()), flush=True)
    if len(sys.argv) > 1: json.dump(dict(device=str(mx.default_device()), results=out), open(sys.argv[1], 'w'), indent=1)

if __name__ == '__main__':
    main()
