"""Streaming conversion vs mlx_lm.convert on the same random-weight checkpoint, same run, alternating order.

Run:  python bench/convert.py [--shape 1b|7b|glm-air-3] [--rounds 2] [--workdir DIR] [--json out.json]
Makes (once, cached in WORKDIR) a sharded bf16 checkpoint with random weights — Llama-shaped (1b: hidden 2048,
16 layers, FFN 8192; 7b: Mistral-7B, 16 shards of ~0.93 GB), or GLM-4.5-Air at full width with 3 layers (one dense,
two of 128 experts), every expert stored apart as released — then converts it (Llama: 8-bit g64; GLM: 3-bit g64, the
`moe` recipe) with `ominix_quant.convert.convert` and with `mlx_lm.convert`, each in a fresh process, alternating
which goes first, and reports wall time and peak RSS (the child's own ru_maxrss). Finally checks that both outputs hold
identical tensors.
"""
import argparse, json, os, resource, shutil, sys, time, zlib
from pathlib import Path

SHAPES = {'1b': (dict(hidden_size=2048, num_hidden_layers=16, intermediate_size=8192), 4), '7b': ({}, 16),  # changes to Mistral-7B's shape, shards
          'glm-air-3': (dict(num_hidden_layers=3), 4)}  # changes to GLM-4.5-Air's
BITS = {'glm-air-3': 3}  # the moe recipe; 8 for the others


def config_of(shape: str) -> dict:
    "The config of a benchmark shape (ominix_quant.fixtures' Mistral-7B or GLM-4.5-Air, resized)."
    from ominix_quant.fixtures import shaped_config
    return shaped_config('glm-4.5-air' if shape.startswith('glm') else 'mistral-7b', torch_dtype='bfloat16', **SHAPES[shape][0])


def shapes_of(cfg: dict) -> dict:
    "{tensor name: shape} of a checkpoint of `cfg` as released (GLM: every expert apart), from the lazy model skeleton."
    from mlx.utils import tree_flatten
    from ominix_quant.checkpoint import build_model
    flat = {k: tuple(v.shape) for k, v in tree_flatten(build_model(cfg).parameters())}
    if cfg['model_type'] != 'glm4_moe': return flat
    out = {}
    for k, s in flat.items():
        if '.switch_mlp.' in k: pre, rest = k.split('.switch_mlp.'); out |= {f'{pre}.experts.{e}.{rest}': s[1:] for e in range(s[0])}
        else: out[k] = s
    return out


def make_checkpoint(folder: Path, shape: str):
    "A sharded bf16 llama checkpoint with random weights and a real tokenizer."
    import mlx.core as mx
    from ominix_quant.checkpoint import write_safetensors, Planned
    cfg = config_of(shape); n_shards = SHAPES[shape][1]
    shapes = shapes_of(cfg)
    names = sorted(shapes)
    per = -(-len(names) // n_shards)
    tmp = folder.with_name(folder.name + '.partial'); shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
    wmap = {}
    for i in range(n_shards):
        keys = names[i * per:(i + 1) * per]
        fn = f'model-{i + 1:05d}-of-{n_shards:05d}.safetensors'
        plan = {k: Planned(shapes[k], mx.bfloat16) for k in keys}
        gen = lambda k: (mx.ones(shapes[k]) if len(shapes[k]) == 1 else mx.random.normal(shapes[k], key=mx.random.key(zlib.crc32(k.encode()))) * 0.02).astype(mx.bfloat16)
        write_safetensors(tmp / fn, keys, plan, gen)
        wmap |= {k: fn for k in keys}
        print(f'  wrote {fn}', flush=True)
    (tmp / 'model.safetensors.index.json').write_text(json.dumps({'metadata': {}, 'weight_map': wmap}))
    (tmp / 'config.json').write_text(json.dumps(cfg, indent=1))
    from ominix_quant.fixtures import tokenizer_folder
    tok = Path(os.environ['OMINIX_TOKENIZER']) if 'OMINIX_TOKENIZER' in os.environ else tokenizer_folder()  # a folder with these files
    for f in ('tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'): shutil.copy(tok / f, tmp / f)
    tmp.rename(folder)


def child(kind, src, dst):
    "Run one conversion in this process; print JSON with wall time and peak RSS."
    t = time.perf_counter()
    bits = 3 if 'glm' in Path(src).name else 8
    if kind == 'ours':
        from ominix_quant.convert import convert
        from ominix_quant.policy import Policy
        from ominix_quant.affine import QuantSpec
        convert(src, dst, Policy.from_recipe('moe') if bits == 3 else Policy((), QuantSpec(8, 64)), progress=False)
    else:
        from mlx_lm.convert import convert as lm_convert
        lm_convert(src, mlx_path=dst, quantize=True, q_bits=bits, q_group_size=64)
    print(json.dumps(dict(seconds=time.perf_counter() - t, peak_rss_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6)))


def run(kind, src, dst):
    shutil.rmtree(dst, ignore_errors=True)
    from common import child_json
    return child_json(__file__, kind, src, dst, what=kind)


def same_tensors(a: Path, b: Path):
    "Do two model folders hold identical tensors?"
    import mlx.core as mx
    from ominix_quant.checkpoint import lazy_weights
    wa, wb = lazy_weights(a), lazy_weights(b)
    if wa.keys() != wb.keys(): return False, f'keys differ: {sorted(set(wa) ^ set(wb))[:5]}'
    for k in sorted(wa):
        if not mx.array_equal(wa[k], wb[k]).item(): return False, f'{k} differs'
    return True, f'{len(wa)} tensors identical'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--shape', choices=SHAPES, default='1b')
    ap.add_argument('--rounds', type=int, default=2)
    ap.add_argument('--workdir', default='/tmp/ominix-bench-convert')
    ap.add_argument('--json')
    ap.add_argument('--child', nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(a.child[0], a.child[1], a.child[2])
    import mlx.core as mx
    work = Path(a.workdir); src = work / (f'{a.shape}-bf16' if a.shape.startswith('glm') else f'llama-{a.shape}-bf16')
    if not src.exists(): print(f'making {src}…', flush=True); make_checkpoint(src, a.shape)
    size = sum(f.stat().st_size for f in src.glob('*.safetensors'))
    from common import cpu_name
    cpu = cpu_name()
    dev = f'{mx.default_device()} · {cpu} · {os.cpu_count()} cores · mlx {mx.__version__}'
    print(f'# convert to {BITS.get(a.shape, 8)}-bit g64: {src.name} ({size / 1e9:.1f} GB, {len(list(src.glob("*.safetensors")))} shards) — {dev}')
    res = {'ours': [], 'mlx_lm': []}
    for r in range(a.rounds):
        order = ['mlx_lm', 'ours'] if r % 2 == 0 else ['ours', 'mlx_lm']
        for kind in order:
            m = run(kind, src, work / f'out-{kind}')
            res[kind].append(m)
            print(f'round {r + 1} {kind:7s} {m["seconds"]:7.1f} s  peak RSS {m["peak_rss_gb"]:.2f} GB', flush=True)
    same, why = same_tensors(work / 'out-ours', work / 'out-mlx_lm')
    best = {k: min(v, key=lambda m: m['seconds']) for k, v in res.items()}
    print(f'\nbest: ours {best["ours"]["seconds"]:.1f} s / {best["ours"]["peak_rss_gb"]:.2f} GB; mlx_lm.convert {best["mlx_lm"]["seconds"]:.1f} s / '
          f'{best["mlx_lm"]["peak_rss_gb"]:.2f} GB; time ratio {best["ours"]["seconds"] / best["mlx_lm"]["seconds"]:.2f}; outputs: {why}')
    if a.json: Path(a.json).write_text(json.dumps(dict(device=dev, shape=a.shape, checkpoint_gb=size / 1e9, runs=res, identical=same), indent=1))
    if not same: sys.exit('outputs differ: ' + why)


if __name__ == '__main__':
    main()
