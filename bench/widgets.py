"""How long a click in the LayerPicker takes on big inventories (goal: < 100 ms per click).

Run:  python bench/widgets.py [--repeat 5] [--json out.json]
Inventories of lazily built mlx-lm skeletons (no weights are materialised): a Mistral-7B-shaped llama (224 linear
layers) and a GLM-4.5-Air-shaped glm4_moe (46 layers, 128 routed experts stacked per SwitchLinear). The error table
is synthetic (a plausible relative error per bits and group size): only the timing is measured here; the estimates
themselves are checked against the analysis in nbs/05a_choices.ipynb. Each click is a widget value set, as a browser
makes it, timed until every observer has run (the re-estimate, the read-out, the row states, the `policy` trait).
"""
import argparse, json, os, platform, statistics, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))

def synthetic_errors(table, specs):
    "A sweep-shaped table: relative error ≈ 2^-bits · √(g/64) · 3, per layer with a random spread."
    import numpy as np, pandas as pd
    rng = np.random.default_rng(0)
    rows = []
    for l in table:
        if l.kind not in ('Linear', 'Embedding', 'SwitchLinear'): continue
        f = rng.uniform(0.7, 1.5)
        for s in specs:
            rel = f * 3 * 2.0 ** -s.bits * (s.group_size / 64) ** 0.5
            rows.append(dict(path=l.path, spec=str(s), mse=rel ** 2 * 4e-4, rel_error=rel))
    return pd.DataFrame(rows)


def clicks(picker, table):
    "(name, action) pairs, each one user action."
    comp = picker.choices.components
    groups = [g for c in comp for g in picker.choices.groups[c] if len(picker.choices.groups[c][g]) > 1]
    layer = picker.choices.layers[len(picker.choices.layers) // 2].path
    big = max(comp, key=lambda c: sum(len(g) for g in picker.choices.groups[c].values()))
    return [
        (f'keep component {big!r}', lambda: setattr(picker.node('component', big).keep, 'value', True)),
        (f'un-keep component {big!r}', lambda: setattr(picker.node('component', big).keep, 'value', False)),
        (f'group {groups[0]} → 4-bit', lambda: setattr(picker.node('group', groups[0]).bits, 'value', 4)),
        (f'group {groups[0]} → g32', lambda: setattr(picker.node('group', groups[0]).gs, 'value', 32)),
        ('keep one layer', lambda: setattr(picker.node('layer', layer).keep, 'value', True)),
        ('filter "down_proj"', lambda: setattr(picker.filter, 'value', 'down_proj')),
        ('pattern → 3-bit', lambda: setattr(picker.node('pattern', 'down_proj').bits, 'value', 3)),
        ('clear filter', lambda: setattr(picker.filter, 'value', '')),
        ('recipe moe-4bit', lambda: setattr(picker.recipe_menu, 'value', 'moe-4bit')),
        ('undo', picker.undo),
    ]


def measure(name, config, repeat):
    from ominix_quant.checkpoint import build_model
    from ominix_quant.inventory import inventory
    from ominix_quant.widgets import LayerPicker, SPECS
    t = time.perf_counter(); model = build_model(config); table = inventory(model, name=name); t_inv = time.perf_counter() - t
    errors = synthetic_errors(table, SPECS)
    t = time.perf_counter(); picker = LayerPicker(table, recipe='llm', errors=errors, progress=False); t_make = time.perf_counter() - t
    times = {}
    for _ in range(repeat):
        for what, act in clicks(picker, table):
            t = time.perf_counter(); act(); times.setdefault(what, []).append(time.perf_counter() - t)
        while picker.choices.undo(): pass
        picker._refresh()
    n_layers, n_params = len(picker.choices.layers), picker.choices.params
    return dict(model=name, layers=n_layers, params=n_params, inventory_s=t_inv, picker_s=t_make,
                clicks_ms={k: dict(median=1e3 * statistics.median(v), max=1e3 * max(v)) for k, v in times.items()})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeat', type=int, default=5)
    ap.add_argument('--json')
    a = ap.parse_args()
    import mlx.core as mx
    from common import cpu_name
    from ominix_quant.fixtures import shaped_config
    cpu = cpu_name()
    print(f'# LayerPicker clicks — {cpu} · {os.cpu_count()} cores · mlx {mx.__version__} · python {platform.python_version()}')
    out = []
    for name, cfg in (('Mistral-7B-shaped', shaped_config('mistral-7b')), ('GLM-4.5-Air-shaped', shaped_config('glm-4.5-air'))):
        r = measure(name, cfg, a.repeat)
        out.append(r)
        print(f'\n{name}: {r["layers"]} quantizable layers, {r["params"] / 1e9:.1f} B params; inventory {r["inventory_s"]:.2f} s, picker built in {r["picker_s"]:.2f} s')
        for k, v in r['clicks_ms'].items(): print(f'  {k:45s} median {v["median"]:6.1f} ms   max {v["max"]:6.1f} ms')
        worst = max(v['max'] for v in r['clicks_ms'].values())
        print(f'  slowest click {worst:.1f} ms ({"meets" if worst < 100 else "MISSES"} the 100 ms goal)')
    if a.json: Path(a.json).write_text(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
