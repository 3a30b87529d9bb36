"""Moxin-7B VLM: VLMRunner's memory and speed in BF16 and with the recipe, and its decoder against plain mlx-lm on the same weights.

A random-weight folder of the shape (`fixtures.SHAPED`) is saved once in BF16 and converted to each precision. Each
side runs in its own process after a warm-up, so peak memory is its own: ours describes scikit-image's astronaut
(image encoding, prompt with the 256 image tokens, decode with the end token held back); plain mlx-lm (`mlx_lm.load`
+ `stream_generate`) runs Moxin's decoder alone (`runners.vlm.mlx_lm_decoder`) on a text prompt of the same length.

    python bench/vlm.py                                       # moxin-7b: as stored (BF16) and the vlm recipe
    python bench/vlm.py --shape moxin -p vlm -p '4-bit g64'   # the tiny test model: a quick check of the script
    python bench/vlm.py ... --decode-tokens 64 --json FILE
"""
import argparse, json, tempfile
from pathlib import Path

TEXT = Path(__file__).resolve().parent.parent / 'README.md'  # real text for plain mlx-lm's prompt, on every machine with the repo


def child(which, folder, decode_tokens):
    "Time one side on one folder in this process; print JSON."
    import ominix_quant  # noqa: F401  (the optimized BLAS before mlx.core, for both sides)
    from dataclasses import asdict
    if which == 'ours':
        from ominix_quant.runners.vlm import VLMRunner
        r = VLMRunner(folder, progress=False)
        out = asdict(r.measure(decode_tokens=int(decode_tokens))) | dict(load_seconds=r.load_seconds)
    else:  # plain mlx-lm on the decoder folder, with a prompt of the length `which` says ('mlx_lm:N')
        from ominix_quant.runners.llm import plain_mlx_lm
        out = asdict(plain_mlx_lm(folder, int(which.split(':')[1]), int(decode_tokens), text=str(TEXT)))
    print(json.dumps(out))


def run(which, folder, decode_tokens):
    from common import child_json
    return child_json(__file__, which, folder, decode_tokens, what=f'{which} on {folder}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--shape', default='moxin-7b', help="the shape (fixtures.SHAPED; 'moxin' for the tiny test model)")
    ap.add_argument('-p', '--precision', action='append', help="'as stored', a recipe or 'B-bit gG' (repeatable; default: as stored, vlm)")
    ap.add_argument('--decode-tokens', type=int, default=64)
    ap.add_argument('--workdir', help='where the folders go (default: a temporary folder)')
    ap.add_argument('--json')
    ap.add_argument('--child', nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(*a.child)
    import ominix_quant  # noqa: F401
    from common import shaped_folder
    from ominix_quant.bench import parse_precision
    from ominix_quant.convert import convert
    from ominix_quant.fixtures import TINY, tiny_checkpoint, vlm_tokenizer_folder
    from ominix_quant.policy import KEEP
    from ominix_quant.runners.llm import device_name
    from ominix_quant.runners.vlm import mlx_lm_decoder
    work = Path(a.workdir or tempfile.mkdtemp(prefix='ominix-vlm-'))
    src = work / a.shape
    if not (src / 'config.json').exists():
        src = tiny_checkpoint(a.shape, src) if a.shape in TINY else shaped_folder(a.shape, src, vlm_tokenizer_folder(progress=False))
    print(f'# vision-language: VLMRunner (image + prompt) vs plain mlx-lm (its decoder alone) — {a.shape}, random weights — {device_name()}')
    print(f'# {a.decode_tokens} decoding steps; the prompt: [BOS] + 256 image tokens + "In: What is in this picture?\\nOut:" (mlx-lm: as many text tokens)')
    print(f'{"precision":12s} {"weights GB":>10s} {"peak GB ours/mlx-lm":>20s} {"image ms":>9s} {"prompt tok/s ours/mlx-lm":>25s} '
          f'{"decode tok/s ours/mlx-lm":>25s} {"decode ×":>8s} {"load s":>7s}')
    rows = []
    for p in a.precision or ['as stored', 'vlm']:
        pol = parse_precision(p)
        folder = src if pol.default is KEEP and not pol.rules else work / f'{a.shape}-{pol.name.replace(" ", "-")}'
        if not folder.exists(): convert(src, folder, pol, progress=False)
        dec = work / f'{folder.name}-decoder'
        if not dec.exists(): mlx_lm_decoder(folder, dec)
        o = run('ours', folder, a.decode_tokens)
        m = run(f'mlx_lm:{o["prompt_tokens"]}', dec, a.decode_tokens)
        rows.append(dict(precision=pol.name, ours=o, mlx_lm=m, decode_ratio=o['decode_tps'] / m['decode_tps']))
        print(f'{pol.name:12s} {o["weight_gb"]:10.3f} {o["peak_gb"]:12.3f}/{m["peak_gb"]:.3f} {o["image_seconds"] * 1e3:9.1f} '
              f'{o["prompt_tps"]:14,.1f}/{m["prompt_tps"]:<10,.1f} {o["decode_tps"]:14,.2f}/{m["decode_tps"]:<10,.2f} '
              f'{rows[-1]["decode_ratio"]:7.2f}× {o["load_seconds"]:7.2f}', flush=True)
    if a.json: Path(a.json).write_text(json.dumps(dict(device=device_name(), shape=a.shape, decode_tokens=a.decode_tokens, rows=rows), indent=1))


if __name__ == '__main__':
    main()
