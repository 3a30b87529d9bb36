"""Print the README's benchmark tables (Markdown) from the JSON files in docs/bench/ (written by `ominix-quant bench`,
`bench/runner.py`, `bench/quality.py` and `bench/gpu.sh`)."""
import json, sys
from pathlib import Path
from ominix_quant.bench import BenchTable

HERE = Path(sys.argv[1] if len(sys.argv) > 1 else 'docs/bench')


def runner_table(files):
    "One Markdown table of LLMRunner vs plain mlx-lm runs."
    out = ['| device | model | precision | prompt tok/s: ours / mlx-lm | decode tok/s: ours / mlx-lm | decode × | peak GB: ours / mlx-lm |',
           '|---|---|---|---:|---:|---:|---:|']
    for f in files:
        d = json.loads(Path(f).read_text())
        dev = d['device'].split(' · mlx')[0]
        for r in d['rows']:
            o, m = r['ours'], r['mlx_lm']
            out.append(f'| {dev} | {d["model"].split(".Q4")[0]} | {r["precision"]} | {o["prompt_tps"]:,.1f} / {m["prompt_tps"]:,.1f} | '
                       f'{o["decode_tps"]:,.2f} / {m["decode_tps"]:,.2f} | **{r["decode_ratio"]:.2f}×** | {o["peak_gb"]:.3f} / {m["peak_gb"]:.3f} |')
    return '\n'.join(out)


def quality_tables(f):
    "The quality-at-equal-bpw table (and the MiniLM one) of `bench/quality.py --json`, by bits per weight."
    d = json.loads(Path(f).read_text())
    b = lambda q, t: f'**{t}**' if q['name'].startswith('ours') and ', MLX' not in q['name'] else t
    out = ['| method | bpw | PPL ± SE | ΔPPL | KLD mean | KLD p99 | same top-1 |', '|---|---:|---:|---:|---:|---:|---:|']
    for q in sorted(d['rows'], key=lambda q: (round(q['bpw'], 2), q['kld'])):
        out.append(f'| {b(q, q["name"])} | {q["bpw"]:.2f} | {q["ppl"]:.2f} ± {q["ppl_se"]:.2f} | {b(q, format(q["ppl"] / q["base_ppl"] - 1, "+.1%"))} | '
                   f'{b(q, format(q["kld"], ".4f"))} | {q["kld_p99"]:.3f} | {q["top1"]:.1%} |')
    if d.get('minilm'):
        out += ['', '| all-MiniLM-L6-v2 (fp32) | bpw | cosine mean | cosine p01 | cosine min |', '|---|---:|---:|---:|---:|']
        out += [f'| {b(q, q["name"])} | {q["bpw"]:.2f} | {b(q, format(q["cosine"], ".5f"))} | {q["cosine_p01"]:.5f} | {q["cosine_min"]:.5f} |' for q in d['minilm']]
    return '\n'.join(out)


if __name__ == '__main__':
    for name in ('cpu-smollm2', 'gpu-smollm2', 'gpu-7b'):
        if (HERE / f'{name}.json').exists(): print(BenchTable.from_json(HERE / f'{name}.json').markdown())
    print(runner_table(sorted(HERE.glob('*-runner*.json'))))
    if (HERE / 'cpu-quality.json').exists(): print(quality_tables(HERE / 'cpu-quality.json'))
