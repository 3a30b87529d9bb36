"Round trips on the bundled model, an interrupted conversion, and our safetensors writer read by the safetensors library."
import json
from pathlib import Path
import numpy as np
import mlx.core as mx
import pytest
from mlx.utils import tree_flatten
from ominix_quant.affine import QuantSpec
from ominix_quant.policy import Policy, Rule, KEEP
from ominix_quant import convert as cv, checkpoint as ck
from ominix_quant.fixtures import tiny_checkpoint, tiny_model




POLICY = Policy([Rule(KEEP, '*.0.mlp.*'), Rule(QuantSpec(4, 32), '*.mlp.down_proj')], QuantSpec(8, 64), 'test')


def test_runtime_and_streaming_agree_on_the_bundled_model(smol, tmp_path):
    import mlx_lm
    m, c = ck.load_model(smol)
    qc = cv.apply(m, POLICY, c)
    ck.save_model(m, qc, tmp_path / 'rt', src=smol, max_shard_bytes=40 << 20)
    conv = cv.convert(smol, tmp_path / 'st', POLICY, progress=False, max_shard_bytes=40 << 20)
    rt, st = sorted((tmp_path / 'rt').glob('*.safetensors')), sorted((tmp_path / 'st').glob('*.safetensors'))
    assert len(rt) > 1 and [f.name for f in rt] == [f.name for f in st]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(rt, st))
    assert conv.counts()['KEEP'] == 3 and conv.counts()['4-bit g32'] == 29
    lm, tok = mlx_lm.load(str(tmp_path / 'st'))
    ids = mx.array([tok.encode('The weights of a group share one scale and one bias.')])
    assert mx.array_equal(lm(ids), m(ids)).item()
    ours, _ = ck.load_model(tmp_path / 'st')
    a, b = dict(tree_flatten(ours.parameters())), dict(tree_flatten(m.parameters()))
    assert a.keys() == b.keys() and all(mx.array_equal(a[k], b[k]).item() for k in a)


def test_interrupted_conversion_leaves_nothing(smol, tmp_path, monkeypatch):
    calls = {'n': 0}
    real = cv.quantize_bits
    def flaky(*a, **k):
        calls['n'] += 1
        if calls['n'] == 20: raise KeyboardInterrupt
        return real(*a, **k)
    monkeypatch.setattr(cv, 'quantize_bits', flaky)
    with pytest.raises(KeyboardInterrupt):
        cv.convert(smol, tmp_path / 'out', POLICY, progress=False)
    assert calls['n'] == 20 and list(tmp_path.iterdir()) == []


def test_writer_is_read_by_the_safetensors_library(tmp_path):
    import torch
    from safetensors.torch import load_file
    ts = {'a': mx.arange(12).reshape(3, 4).astype(mx.bfloat16), 'b': mx.array([[1, 2]], mx.uint32), 'c': mx.ones((5,), mx.float16),
          'd': mx.array([True, False, True]), 'e': mx.random.normal((7, 3))}
    ck.write_shards(ts, tmp_path)
    got = load_file(str(tmp_path / 'model.safetensors'))
    assert set(got) == set(ts)
    for k, v in ts.items():
        want = np.asarray(v.astype(mx.float32)) if v.dtype == mx.bfloat16 else np.asarray(v)
        have = got[k].to(torch.float32).numpy() if v.dtype == mx.bfloat16 else got[k].numpy()
        np.testing.assert_array_equal(have, want)
    back = mx.load(str(tmp_path / 'model.safetensors'))
    assert all(mx.array_equal(back[k], v).item() for k, v in ts.items())


def test_existing_output_is_refused_and_kept(smol, tmp_path):
    (tmp_path / 'out').mkdir(); (tmp_path / 'out' / 'precious.txt').write_text('keep me')
    with pytest.raises(FileExistsError, match='pass overwrite=True'):
        cv.convert(smol, tmp_path / 'out', POLICY, progress=False)
    assert (tmp_path / 'out' / 'precious.txt').read_text() == 'keep me'


def test_layer_no_group_size_divides_is_kept_and_reported(tmp_path):
    "A Llama whose FFN is 4304 wide (SigLIP's MLP width): down_proj is kept with the reason, the rest quantized."
    tiny_checkpoint('llama', tmp_path / 'src', tokenizer=False, intermediate_size=4304, num_hidden_layers=2)
    conv = cv.convert(tmp_path / 'src', tmp_path / 'q', Policy(default=QuantSpec(4, 64)), progress=False)
    assert conv.decisions['model.layers.0.mlp.down_proj'] is KEEP
    assert 'not divisible by group_size 64' in conv.reasons['model.layers.0.mlp.down_proj']
    assert conv.decisions['model.layers.0.mlp.up_proj'] == QuantSpec(4, 64)
    q = json.loads((tmp_path / 'q' / 'config.json').read_text())['quantization']
    assert q['model.layers.1.mlp.down_proj'] is False
    back, _ = ck.load_model(tmp_path / 'q')
    assert type(back.model.layers[0].mlp.down_proj).__name__ == 'Linear'


def test_missing_model_type(tmp_path):
    (tmp_path / 'config.json').write_text('{"hidden_size": 8}')
    with pytest.raises(ck.CheckpointError, match='no "model_type"'):
        ck.read_config(tmp_path)


def test_report_png_says_what_is_missing(smol, tmp_path, monkeypatch, capsys):
    "Without a Chromium the HTML report is still written and the command says what to install."
    import shutil as sh
    from ominix_quant import cli
    monkeypatch.setattr(sh, 'which', lambda name: None)
    rc = cli.main(['report', str(smol), '-o', str(tmp_path / 'r.html'), '--png', str(tmp_path / 'png'), '--no-sweep', '-q'])
    err = capsys.readouterr().err
    assert rc == 1 and 'apt-get install chromium' in err and (tmp_path / 'r.html').stat().st_size > 1e6


def test_command_line_converts_to_a_format(tmp_path):
    "ominix-quant convert --mode nvfp4: every linear layer in nvfp4 (one uint8 scale per 16 weights), loaded by mlx-lm; a format refuses --bits."
    import mlx_lm
    from conftest import cli, main_raise
    src = tiny_checkpoint('llama', tmp_path / 'src')
    cli(['quantize', str(src), '-o', str(tmp_path / 'fp'), '--mode', 'nvfp4', '-q'])
    lm, _ = mlx_lm.load(str(tmp_path / 'fp'))
    up = lm.model.layers[0].mlp.up_proj
    assert (up.mode, up.bits, up.group_size, up.scales.dtype) == ('nvfp4', 4, 16, mx.uint8)
    from ominix_quant.policy import memory_plan
    plan = json.loads(cli(['plan', str(src), '--mode', 'mxfp4', '--json']))
    assert plan['total_bytes'] == memory_plan(src, Policy((), QuantSpec.of('mxfp4'))).total_bytes and 'mxfp4' in plan['policy']
    with pytest.raises(ValueError, match='--mode mxfp4 fixes bits and group size'):
        main_raise(['quantize', str(src), '-o', str(tmp_path / 'x'), '--mode', 'mxfp4', '--bits', '4', '-q'])
