"""Full per-group analysis at 8-bit g64: (a) the bundled SmolLM2-135M, (b) a streamed Mistral-7B-shaped checkpoint.

Run:  python bench/analysis.py [--skip-7b] [--workdir DIR] [--json out.json]
(a) analyse() of the bundled model folder vs mx.quantize + mx.dequantize of the same weights, in one process.
(b) analyse() of a random-weight Mistral-7B-shaped checkpoint (made once by bench/convert.py's maker, cached in
    WORKDIR) and mlx_lm.convert -q of the same checkpoint, each in a fresh process, alternating order;
    wall time and peak RSS (the child's own ru_maxrss). Prints Gparam/s and the device.
"""
import argparse, json, os, resource, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))


def child(kind, src, dst):
    "One timed job in this process; print JSON."
    t = time.perf_counter()
    if kind == 'analysis':
        from ominix_quant.analysis import analyze
        from ominix_quant.policy import Policy
        from ominix_quant.affine import QuantSpec
        import mlx_lm.utils  # imported by the analysis anyway (architectures); timed apart from the work
        t_work = time.perf_counter()
        rep = analyze(src, Policy((), QuantSpec(8, 64)), progress=False)
        n, work = int(rep.quantized.params.sum()), time.perf_counter() - t_work
    else:
        from mlx_lm.convert import convert as lm_convert
        lm_convert(src, mlx_path=dst, quantize=True, q_bits=8, q_group_size=64); n, work = 0, None
    print(json.dumps(dict(seconds=time.perf_counter() - t, work_seconds=work, params=n, peak_rss_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6)))


def run(kind, src, dst):
    import shutil
    shutil.rmtree(dst, ignore_errors=True)
    from common import child_json
    return child_json(__file__, kind, src, dst, what=kind)


def small(repeat=3):
    "(a): the bundled model, analysis vs mx.quantize + mx.dequantize alone."
    import mlx.core as mx
    from ominix_quant.sources import resolve
    from ominix_quant.analysis import analyze
    from ominix_quant.policy import Policy
    from ominix_quant.affine import QuantSpec
    from ominix_quant.checkpoint import load_model
    src = resolve(progress=False)
    pol = Policy((), QuantSpec(8, 64))
    analyze(src, pol, progress=False)  # compile / warm the page cache
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); rep = analyze(src, pol, progress=False); ts.append(time.perf_counter() - t)
    n = int(rep.quantized.params.sum())
    m, _ = load_model(src)
    ws = [mod.weight for p, mod in m.named_modules() if p in set(rep.quantized.index)]
    tq = []
    for _ in range(repeat):
        t = time.perf_counter()
        for w in ws: mx.eval(mx.dequantize(*mx.quantize(w, 64, 8), group_size=64, bits=8))
        tq.append(time.perf_counter() - t)
    return dict(params=n, analysis_s=min(ts), analysis_gparams=n / min(ts) / 1e9, mlx_q_dq_s=min(tq), mlx_q_dq_gparams=n / min(tq) / 1e9,
                peak_rss_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--skip-7b', action='store_true')
    ap.add_argument('--rounds', type=int, default=2)
    ap.add_argument('--workdir', default='/tmp/ominix-bench-convert')
    ap.add_argument('--json')
    ap.add_argument('--child', nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(*a.child)
    import mlx.core as mx
    from convert import make_checkpoint
    from common import cpu_name
    cpu = cpu_name()
    dev = f'{mx.default_device()} · {cpu} · {os.cpu_count()} cores · mlx {mx.__version__}'
    print(f'# full analysis at 8-bit g64 — {dev}')
    s = small()
    print(f'(a) SmolLM2-135M ({s["params"] / 1e6:.0f} M quantized params): analysis {s["analysis_s"]:.2f} s = {s["analysis_gparams"]:.2f} Gparam/s; '
          f'mx.quantize + mx.dequantize alone {s["mlx_q_dq_s"]:.2f} s = {s["mlx_q_dq_gparams"]:.2f} Gparam/s ({s["mlx_q_dq_s"] / s["analysis_s"]:.1f}× slower); peak RSS {s["peak_rss_gb"]:.2f} GB')
    out = dict(device=dev, smollm2=s)
    if not a.skip_7b:
        work = Path(a.workdir); src = work / 'llama-7b-bf16'
        if not src.exists(): print(f'making {src}…', flush=True); make_checkpoint(src, '7b')
        res = {'analysis': [], 'mlx_lm': []}
        for r in range(a.rounds):
            for kind in (['mlx_lm', 'analysis'] if r % 2 == 0 else ['analysis', 'mlx_lm']):
                m = run(kind, src, work / f'out-{kind}')
                res[kind].append(m)
                extra = f' (analyze() itself {m["work_seconds"]:.1f} s = {m["params"] / m["work_seconds"] / 1e9:.2f} Gparam/s)' if m['params'] else ''
                print(f'(b) round {r + 1} {kind:8s} {m["seconds"]:6.1f} s{extra}  peak RSS {m["peak_rss_gb"]:.2f} GB', flush=True)
        b = {k: min(v, key=lambda m: m['seconds']) for k, v in res.items()}
        print(f'(b) best: analysis {b["analysis"]["seconds"]:.1f} s / {b["analysis"]["peak_rss_gb"]:.2f} GB vs mlx_lm.convert {b["mlx_lm"]["seconds"]:.1f} s '
              f'(ratio {b["analysis"]["seconds"] / b["mlx_lm"]["seconds"]:.2f})')
        out['mistral7b'] = res
    if a.json: Path(a.json).write_text(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
