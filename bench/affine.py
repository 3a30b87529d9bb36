"""Throughput of the affine core on LLM-shaped bf16 matrices, next to mx.quantize and a memory copy in the same run.

Run: python bench/affine.py [--shapes 4096x4096,14336x4096,4096x14336] [--bits 8] [--group-size 64] [--json out.json]
     python bench/affine.py --modes [--shapes 4096x4096]   # MLX's floating-point formats: the error pass against mx.quantize + mx.dequantize
Prints Gparam/s (best of --repeat runs) for: a memory copy (numpy, the roofline), mx.quantize, mx.dequantize,
our quantize / dequantize (MLX kernels where MLX has them), our own MLX-ops implementation (the path used for
7 bits and group size 256), and the fused per-group error pass (`group_error`, all threads and one), plus the device.

What bounds the error pass: arithmetic, not memory. It reads 2 bytes per weight (~3.5 GB/s at 1.7 Gparam/s, a
fifth of a copy's bandwidth) and scales linearly with cores (compare the one-thread line): per weight it does a
real division (needed to match MLX bit for bit), two roundings to the storage dtype in integer arithmetic, and
a handful of vectorised passes over a row held in L1.
"""
import argparse, json, os, time
import numpy as np
import mlx.core as mx
from ominix_quant.affine import quantize, dequantize, _quantize_ext, _dequantize_ext
from ominix_quant.kernels import group_error, quantize_fast


def best(f, repeat):
    "Best wall time of `repeat` calls of `f`."
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)


def device():
    "The machine, in words."
    from common import cpu_name
    cpu = cpu_name()
    return f'{mx.default_device()} · {cpu} · {os.cpu_count()} cores · mlx {mx.__version__}'


def run(shape, bits, gs, repeat):
    "Gparam/s of every path on one random bf16 matrix."
    w = (mx.random.normal(shape) * 0.02).astype(mx.bfloat16); mx.eval(w)
    n = w.size
    wq, s, b = mx.quantize(w, gs, bits); mx.eval(wq, s, b)
    host = np.asarray(w.view(mx.uint16))
    group_error(w[:8], gs, bits)  # compile once (cached on disk afterwards)
    paths = {
        'memory copy (numpy)': lambda: host.copy(),
        'mx.quantize': lambda: mx.eval(mx.quantize(w, gs, bits)),
        'mx.dequantize': lambda: mx.eval(mx.dequantize(wq, s, b, group_size=gs, bits=bits)),
        'quantize (ours)': lambda: mx.eval(quantize(w, gs, bits)),
        'dequantize (ours)': lambda: mx.eval(dequantize(wq, s, b, gs, bits)),
        'quantize, MLX-ops path (g256/7-bit)': lambda: mx.eval(_quantize_ext(w, gs, bits)),
        'dequantize, MLX-ops path': lambda: mx.eval(_dequantize_ext(wq, s, b, gs, bits)),
        'group_error: quantize + per-group error (ours)': lambda: group_error(w, gs, bits),
        'group_error + dequantized weights (ours)': lambda: group_error(w, gs, bits, deq=True),
    }
    res = {k: n / best(f, repeat) / 1e9 for k, f in paths.items()}
    import numba
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    res['group_error, 1 thread (scaling check)'] = n / best(paths['group_error: quantize + per-group error (ours)'], repeat) / 1e9
    numba.set_num_threads(threads)
    res['memory copy GB/s'] = 2 * w.nbytes / best(paths['memory copy (numpy)'], repeat) / 1e9
    return res


def run_modes(shape, repeat):
    "Gparam/s of the per-group error pass and the quantizer of each floating-point mode against MLX's own quantize (+ dequantize) of the same matrix."
    from ominix_quant.affine import FLOAT_MODES
    w = (mx.random.normal(shape) * 0.02).astype(mx.bfloat16); mx.eval(w)
    res = {}
    for mode, (bits, gs) in FLOAT_MODES.items():
        q = mx.quantize(w, gs, bits, mode); mx.eval(q)
        group_error(w[:64], gs, bits, mode=mode); quantize_fast(w[:64], gs, bits, mode=mode)  # compile (cached on disk after the first run)
        t = {'mx.quantize': best(lambda: mx.eval(mx.quantize(w, gs, bits, mode)), repeat),
             'mx.dequantize': best(lambda: mx.eval(mx.dequantize(*q, None, gs, bits, mode, dtype=mx.bfloat16)), repeat),
             'group_error (ours)': best(lambda: group_error(w, gs, bits, mode=mode), repeat),
             'quantize_fast (ours)': best(lambda: quantize_fast(w, gs, bits, mode=mode), repeat)}
        t['mx.quantize + mx.dequantize'] = t['mx.quantize'] + t['mx.dequantize']
        res[mode] = {k: w.size / v / 1e9 for k, v in t.items()}
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--shapes', default='4096x4096,14336x4096,4096x14336')
    ap.add_argument('--bits', type=int, default=8)
    ap.add_argument('--group-size', type=int, default=64)
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--json', help='also write the results here')
    ap.add_argument('--modes', action='store_true', help="MLX's floating-point formats instead of the affine paths")
    a = ap.parse_args()
    if a.modes:
        out = dict(device=device(), results={})
        print(f"# MLX's floating-point formats, bf16 — {out['device']}")
        for sh in a.shapes.split(','):
            r = out['results'][sh] = run_modes(tuple(int(x) for x in sh.split('x')), a.repeat)
            print(f'\n## {sh}  (Gparam/s; error pass × mx.quantize + mx.dequantize, quantizer × mx.quantize)')
            for mode, v in r.items():
                print(f"{mode:6s} " + '  '.join(f'{k} {x:.3f}' for k, x in v.items()) +
                      f"   error pass {v['group_error (ours)'] / v['mx.quantize + mx.dequantize']:.2f}×  quantizer {v['quantize_fast (ours)'] / v['mx.quantize']:.2f}×")
        if a.json:
            with open(a.json, 'w') as f: json.dump(out, f, indent=1)
        return
    out = dict(device=device(), bits=a.bits, group_size=a.group_size, results={})
    print(f'# affine core, bf16, {a.bits}-bit g{a.group_size} — {out["device"]}')
    for sh in a.shapes.split(','):
        shape = tuple(int(x) for x in sh.split('x'))
        r = out['results'][sh] = run(shape, a.bits, a.group_size, a.repeat)
        q = r['mx.quantize']
        print(f'\n## {sh}  (Gparam/s; × = ratio to mx.quantize)')
        for k, v in r.items():
            print(f'{k:50s} {v:8.3f}' + ('' if 'GB/s' in k else f'   {v / q:6.2f}×'))
    if a.json:
        with open(a.json, 'w') as f: json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
