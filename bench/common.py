"What every benchmark prints first: the device it ran on."


def cpu_name() -> str:
    "The CPU's model name (the package's own, as every device line it prints)."
    from ominix_quant.runners.llm import cpu_model
    return cpu_model()


def child_json(script, *args, what='child'):
    "Run `script --child ARGS…` in a fresh Python process; the JSON its last line of output holds (exit with its error if it fails)."
    import json, subprocess, sys
    out = subprocess.run([sys.executable, str(script), '--child', *map(str, args)], capture_output=True, text=True)
    if out.returncode: sys.exit(f'{what} failed:\n{out.stderr[-3000:]}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def shaped_folder(shape, dst, tokenizer):
    "A random-weight BF16 folder of a real model's shape (`fixtures.SHAPED`) with `tokenizer`'s files (lazy weights: each made as it is written)."
    import mlx.core as mx
    from ominix_quant.checkpoint import build_model, cast, save_model
    from ominix_quant.fixtures import shaped_config
    if (dst / 'config.json').exists(): return dst
    cfg = shaped_config(shape)
    mx.random.seed(0)
    m = cast(build_model(cfg), mx.bfloat16)
    return save_model(m, cfg, dst, src=tokenizer)
