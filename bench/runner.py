"""LLMRunner against plain mlx-lm (`mlx_lm.load` + `stream_generate`) on the same saved quantized folders and device.

Each precision is saved once (`ominix_quant.convert`), then timed by both, each in its own process (so peak memory
is the model's own), with mlx-lm's timer: prompt tok/s, decode tok/s, peak memory; `--repeat N` alternates the
order N times and keeps each side's best decode. Prints a table of ratios.

    python bench/runner.py                       # the bundled SmolLM2-135M: bf16, 8-bit g64, 4-bit g64
    python bench/runner.py --model DIR -p '8-bit g64' --prompt-tokens 512 --decode-tokens 128
    python bench/runner.py --shape glm-4.5-air -p moe --prompt-tokens 512 --decode-tokens 128   # random weights, built quantized
"""
import argparse, json, tempfile
from pathlib import Path


def child(which, folder, prompt_tokens, decode_tokens):
    "Time one folder with one runner in this process; print JSON."
    import ominix_quant  # noqa: F401  (the optimized BLAS before mlx.core, for both sides)
    from dataclasses import asdict
    from ominix_quant.runners.llm import LLMRunner, plain_mlx_lm
    if which == 'ours': s = LLMRunner(folder, progress=False).measure(int(prompt_tokens), int(decode_tokens))
    else: s = plain_mlx_lm(folder, int(prompt_tokens), int(decode_tokens))
    print(json.dumps(asdict(s)))


def shaped(shape, folder, precision):
    "Make (once) the random-weight folder of `shape` at `precision`; say how long it took."
    import os, time
    from common import shaped_folder, shaped_quantized_folder
    from ominix_quant.fixtures import tokenizer_folder
    if (folder / 'config.json').exists(): return folder
    tok, t = Path(os.environ['OMINIX_TOKENIZER']) if 'OMINIX_TOKENIZER' in os.environ else tokenizer_folder(), time.perf_counter()
    if precision == 'bf16': shaped_folder(shape, folder, tok)
    else: shaped_quantized_folder(shape, folder, tok, precision)
    size = sum(f.stat().st_size for f in folder.glob('*.safetensors'))
    print(f'# made {folder} ({size / 1e9:.3f} GB of weights) in {time.perf_counter() - t:.0f} s', flush=True)
    return folder


def run(which, folder, a):
    from common import child_json
    return child_json(__file__, which, folder, a.prompt_tokens, a.decode_tokens, what=f'{which} on {folder}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', default=None, help='model folder, .gguf, HF id (default: the bundled model)')
    ap.add_argument('--shape', help="a real model's shape with random weights (ominix_quant.fixtures.SHAPED), each precision made "
                                    "directly, layer by layer (GLM-4.5-Air's 214 GB of BF16 never exist); tokenizer from $OMINIX_TOKENIZER")
    ap.add_argument('-p', '--precision', action='append', help="'bf16' or 'B-bit gG' (repeatable)")
    ap.add_argument('--prompt-tokens', type=int, default=32)
    ap.add_argument('--decode-tokens', type=int, default=16)
    ap.add_argument('--repeat', type=int, default=1, help='runs per side, alternating order; the best decode of each side is reported')
    ap.add_argument('--workdir', help='where the quantized folders go (default: a temporary folder)')
    ap.add_argument('--json')
    ap.add_argument('--child', nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(*a.child)
    import ominix_quant  # noqa: F401
    from ominix_quant.sources import resolve
    from ominix_quant.convert import convert
    from ominix_quant.bench import parse_precision
    from ominix_quant.policy import KEEP
    from ominix_quant.runners.llm import device_name
    work = Path(a.workdir or tempfile.mkdtemp(prefix='ominix-runner-'))
    src = work / a.shape if a.shape else resolve(a.model, progress=False)
    print(f'# LLMRunner vs plain mlx-lm — {src.name} — {device_name()}')
    print(f'# prompt {a.prompt_tokens} tokens, decode {a.decode_tokens} tokens (mlx-lm\'s timer on both sides), best of {a.repeat} per side')
    print(f'{"precision":12s} {"ours prompt":>12s} {"mlx-lm prompt":>14s} {"ours decode":>12s} {"mlx-lm decode":>14s} {"decode ×":>9s} {"peak GB ours/mlx-lm":>20s}')
    rows = []
    for p in a.precision or ['bf16', '8-bit g64', '4-bit g64']:
        pol = parse_precision(p)
        folder = src if pol.default is KEEP and not pol.rules else work / pol.name.replace(' ', '-')
        if a.shape: shaped(a.shape, folder, p)
        elif not folder.exists(): convert(src, folder, pol, progress=False)
        runs = {'ours': [], 'mlx_lm': []}
        for r in range(a.repeat):  # alternate which goes first; keep each side's best decode
            for which in (('ours', 'mlx_lm') if r % 2 == 0 else ('mlx_lm', 'ours')): runs[which].append(run(which, folder, a))
        o, m = (max(runs[k], key=lambda x: x['decode_tps']) for k in ('ours', 'mlx_lm'))
        rows.append(dict(precision=pol.name, ours=o, mlx_lm=m, decode_ratio=o['decode_tps'] / m['decode_tps'], prompt_ratio=o['prompt_tps'] / m['prompt_tps'],
                         all_runs=runs))
        print(f'{pol.name:12s} {o["prompt_tps"]:12.1f} {m["prompt_tps"]:14.1f} {o["decode_tps"]:12.2f} {m["decode_tps"]:14.2f} '
              f'{o["decode_tps"] / m["decode_tps"]:8.2f}× {o["peak_gb"]:9.3f}/{m["peak_gb"]:.3f}', flush=True)
    if a.json: Path(a.json).write_text(json.dumps(dict(device=device_name(), model=src.name, rows=rows), indent=1))


if __name__ == '__main__':
    main()
