"""Quality at equal bits per weight on SmolLM2-135M: uniform specs, mlx-lm's mixed recipes and dynamic_quant, ours.

Run:  python bench/quality.py [--tokens 8192] [--calibration 2048] [--skip-minilm] [--json out.json]
All methods are evaluated by the same `Evaluator` (simulated quantization in float32, an optimized BLAS) on the
same held-out tokens of Shakespeare's tragedies, against the bf16 model; calibration (for dynamic_quant's and our
sensitivities) uses the other plays. Bits per weight are those each method actually reaches, whole model
(embeddings included; bf16 scales and biases). mlx-lm's methods are run through their own code
(`mlx_lm.convert.mixed_quant_predicate_builder`, `mlx_lm.quant.dynamic_quant.estimate_sensitivities` and
`estimate_threshold`) on our calibration tokens; their layer choices are turned into a Policy and evaluated like ours.
Ours is the allocation over fitted grids (`QuantSpec(…, fit=True)`); the same allocation over MLX's own grids shows
what each half adds. SmolLM2's BF16 is a dequantized Q4_1, which flatters 4-bit g32 fitted grids; the last table
repeats the comparison on genuine fp32 weights (all-MiniLM-L6-v2, cosine of sentence embeddings).
"""
import argparse, json, os, time
from pathlib import Path


def policy_of(model, predicate, name):
    "The Policy that reproduces an nn.quantize predicate's decisions."
    from ominix_quant.affine import QuantSpec
    from ominix_quant.policy import Policy, KEEP, config_block
    dec = {}
    for p, m in model.named_modules():
        if not hasattr(m, 'to_quantized'): continue
        d = predicate(p, m)
        if d is False: dec[p] = KEEP
        elif isinstance(d, dict): dec[p] = QuantSpec(d['bits'], d['group_size'])
    pol = Policy.from_config(config_block(dec, QuantSpec(4, 64)), name)
    return Policy(pol.rules, pol.default, name, chain_model_predicate=False)


def dynamic_quant(ev, cal_ids, target, low, high, ctx=512):
    "mlx-lm's dynamic_quant choice at `target` bpw, as a Policy."
    import copy
    import mlx.core as mx
    from mlx_lm.quant.dynamic_quant import estimate_sensitivities, estimate_threshold
    data = mx.array(cal_ids[:len(cal_ids) // ctx * ctx].reshape(-1, ctx))
    model = copy.deepcopy(ev.model)
    sens = dict(estimate_sensitivities(model, data, low.bits, low.group_size, high.bits, high.group_size))
    model.set_dtype(mx.bfloat16)  # its threshold search counts bits per weight of the model as it will be saved (bf16)
    thr = estimate_threshold(model, sens, target, low.bits, low.group_size, high.bits, high.group_size)
    pred = lambda p, m: ({'bits': high.bits, 'group_size': high.group_size} if sens[p] > thr else {'bits': low.bits, 'group_size': low.group_size})
    return policy_of(ev.model, pred, f'mlx-lm dynamic_quant {target} ({low.bits}/{high.bits}-bit)')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tokens', type=int, default=8192)
    ap.add_argument('--calibration', type=int, default=2048)
    ap.add_argument('--json')
    ap.add_argument('--skip-minilm', action='store_true', help='leave out the genuine-fp32 check on all-MiniLM-L6-v2')
    a = ap.parse_args()
    from ominix_quant import blas
    import mlx.core as mx
    from ominix_quant.affine import QuantSpec
    from ominix_quant.policy import Policy
    from ominix_quant.evaluate import Evaluator
    from ominix_quant.sensitivity import Sensitivity, allocate, CANDIDATES
    from mlx_lm.convert import mixed_quant_predicate_builder
    mx.set_default_device(mx.cpu)
    from common import cpu_name
    cpu = cpu_name()
    print(f'# quality at equal bits per weight — SmolLM2-135M · {cpu} · {os.cpu_count()} cores · mlx {mx.__version__} · {blas.blas_status()}', flush=True)
    t = time.perf_counter()
    ev = Evaluator('default', n_tokens=a.tokens)
    print(f'{ev}; {time.perf_counter() - t:.1f} s', flush=True)
    cal_ids = ev.encode("shakespeare:calibration")[:a.calibration + 1]
    t = time.perf_counter()
    sens = Sensitivity(ev, n_tokens=a.calibration)
    print(f'{sens}', flush=True)
    u = lambda b, g, fit=False: Policy((), QuantSpec(b, g, fit), f'uniform {QuantSpec(b, g, fit)}')
    runs = [u(8, 64), u(6, 64), u(5, 32), u(5, 64), u(4, 32), u(4, 64), u(4, 32, True), u(4, 64, True),
            policy_of(ev.model, mixed_quant_predicate_builder('mixed_4_6', ev.model), 'mlx-lm mixed_4_6'),
            policy_of(ev.model, mixed_quant_predicate_builder('mixed_3_6', ev.model), 'mlx-lm mixed_3_6')]
    for target, low, high in ((4.75, QuantSpec(4, 64), QuantSpec(5, 64)), (5.0, QuantSpec(4, 64), QuantSpec(5, 64)), (6.0, QuantSpec(5, 64), QuantSpec(6, 64))):
        t = time.perf_counter(); runs.append(dynamic_quant(ev, cal_ids, target, low, high)); print(f'dynamic_quant {target}: {time.perf_counter() - t:.1f} s', flush=True)
    for bpw in (4.5, 4.75, 5.0, 5.5, 6.0):
        al = allocate(sens, bpw=bpw); runs.append(Policy(al.policy.rules, al.policy.default, f'ours {bpw}'))
    plain = Sensitivity(ev, specs=tuple(QuantSpec(s.bits, s.group_size) for s in CANDIDATES), n_tokens=a.calibration, progress=False)
    for bpw in (4.5, 5.0, 6.0):  # the allocation alone, on MLX's own grids: what the fitted grid adds
        al = allocate(plain, bpw=bpw); runs.append(Policy(al.policy.rules, al.policy.default, f'ours {bpw}, MLX grids'))
    rows = []
    for pol in runs:
        q = ev.quality(pol, progress=False)
        rows.append(q)
        print(f'{q!r} · {q.seconds:.0f} s', flush=True)
    print('\n| method | bpw | PPL (± SE) | ΔPPL | KLD mean | KLD p99 | same top-1 |\n|---|---|---|---|---|---|---|')
    for q in sorted(rows, key=lambda q: q.bpw):
        print(f'| {q.name} | {q.bpw:.3f} | {q.ppl:.3f} ± {q.ppl_se:.3f} | {q.ppl_change:+.2%} | {q.kld:.4f} | {q.kld_p99:.3f} | {q.top1:.2%} |')
    print(f'\nbf16 PPL {rows[0].base_ppl:.3f} over {rows[0].n_tokens} tokens')
    minilm = [] if a.skip_minilm else genuine()
    if a.json:
        from dataclasses import asdict
        Path(a.json).write_text(json.dumps(dict(device=cpu, rows=[asdict(q) for q in rows], minilm=[asdict(q) for q in minilm]), indent=1, default=float))


def genuine(n_sentences=512):
    "The same comparison on genuine fp32 weights: all-MiniLM-L6-v2, cosine of sentence embeddings to the fp32 model's."
    from ominix_quant.affine import QuantSpec
    from ominix_quant.policy import Policy
    from ominix_quant.evaluate import EmbeddingEvaluator
    from ominix_quant.sensitivity import Sensitivity, allocate, CANDIDATES
    emb = EmbeddingEvaluator(n_sentences=n_sentences)
    out = []
    for b, g in ((4, 64), (4, 32), (5, 64), (3, 64)):
        for fit in (False, True): out.append(emb.quality(Policy((), QuantSpec(b, g, fit)), f'uniform {QuantSpec(b, g, fit)}'))
    budget = Policy((), QuantSpec(4, 32)).footprint(emb.table, emb.dtype).total  # the bytes of uniform 4-bit g32
    for name, specs in (('ours', CANDIDATES), ('ours, MLX grids', tuple(QuantSpec(s.bits, s.group_size) for s in CANDIDATES))):
        al = allocate(Sensitivity(emb, specs, n_tokens=2048, progress=False), budget_bytes=budget)
        out.append(emb.quality(al.policy, f'{name} (bytes of 4-bit g32)'))
    print(f'\n## all-MiniLM-L6-v2 (fp32), {n_sentences} sentences\n\n| method | bpw | cosine mean | cosine p01 | cosine min |\n|---|---|---|---|---|')
    for q in out: print(f'| {q.name} | {q.bpw:.3f} | {q.cosine:.6f} | {q.cosine_p01:.6f} | {q.cosine_min:.6f} |')
    return out


if __name__ == '__main__':
    main()
