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
    from ominix_quant.checkpoint import save_model
    if (dst / 'config.json').exists(): return dst
    cfg, m = random_model(shape)
    return save_model(m, cfg, dst, src=tokenizer)


def random_model(shape):
    "`(config, lazy BF16 model)` of a real model's shape (`fixtures.SHAPED`) or a config, seeded random weights, routers included."
    import mlx.core as mx
    from ominix_quant.checkpoint import build_model, cast
    from ominix_quant.fixtures import shaped_config
    cfg = shaped_config(shape) if isinstance(shape, str) else shape
    mx.random.seed(0)
    return cfg, randomize_routers(cast(build_model(cfg), mx.bfloat16))


def randomize_routers(model):
    "Give MoE routers random weights: MLX starts them at zero, and every token would then pick the same experts."
    import mlx.core as mx
    from mlx.utils import tree_flatten, tree_unflatten
    model.update(tree_unflatten([(k, (mx.random.normal(v.shape) * 0.02).astype(v.dtype)) for k, v in tree_flatten(model.parameters())
                                 if k.endswith(('mlp.gate.weight', 'e_score_correction_bias'))]))
    return model


def shaped_quantized_folder(shape, dst, tokenizer, precision):
    "A random-weight folder of a real model's shape (or a config) quantized by `precision`, made layer by layer: its full-precision weights never exist at once."
    import mlx.core as mx, mlx.nn as nn
    from ominix_quant.bench import parse_precision
    from ominix_quant.checkpoint import save_model
    from ominix_quant.inventory import inventory
    if (dst / 'config.json').exists(): return dst
    (cfg, m), pol = random_model(shape), parse_precision(precision)  # lazy: nothing is made yet
    block = pol.to_config(inventory(m), m)
    nn.quantize(m, class_predicate=pol.to_predicate(m))
    for layer in m.layers: mx.eval(layer.parameters())  # one layer's full-precision weights at a time
    mx.eval(m.parameters())
    return save_model(m, {**cfg, 'quantization': block, 'quantization_config': block}, dst, src=tokenizer)
