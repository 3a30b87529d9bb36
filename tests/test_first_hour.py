"""What a new user meets in the first hour, through the real command line (`ominix-quant` in a subprocess, as typed):
bad paths and configs named, NaN weights announced, Ctrl-C ending in one line with nothing half-written, and
quantized folders that mlx-lm loads with their whole tokenizer."""
import json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
import mlx.core as mx
import pytest

EXE = str(Path(sys.executable).parent / 'ominix-quant')


def oq(*args, cwd=None, timeout=600):
    "Run `ominix-quant ARGS` as a user would; (exit code, stdout, stderr)."
    r = subprocess.run([EXE, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def test_missing_relative_folder_is_named(tmp_path):
    rc, _, err = oq('quantize', './no-such-model', '-o', 'out', cwd=tmp_path)
    assert rc == 1 and './no-such-model: no such folder' in err and 'Repo id' not in err, err
    assert not (tmp_path / 'out').exists()


def test_unknown_architecture_names_its_config(tmp_path):
    (tmp_path / 'alien').mkdir()
    (tmp_path / 'alien' / 'config.json').write_text('{"model_type": "no_such_arch"}')
    rc, _, err = oq('report', tmp_path / 'alien', '-o', tmp_path / 'r.html')
    assert rc == 1 and f"{tmp_path / 'alien' / 'config.json'}: unknown architecture model_type='no_such_arch'" in err, err


def test_existing_output_refused_before_loading(tmp_path):
    (tmp_path / 'out').mkdir()
    t = time.perf_counter()
    rc, _, err = oq('quantize', './no-such-model', '-o', tmp_path / 'out')  # the model is not even looked at
    assert rc == 1 and err.strip().endswith('exists; choose another folder with -o or pass --overwrite'), err
    assert 'overwrite=True' not in err


def test_quantized_folder_keeps_every_tokenizer_file(smol, tmp_path):
    import mlx_lm
    rc, out, err = oq('quantize', smol, '--bits', '4', '-o', tmp_path / 'q4', '-q')
    assert rc == 0, err
    side = {p.name for p in smol.iterdir() if p.suffix != '.safetensors' and p.name not in ('config.json', 'model.safetensors.index.json')}
    assert 'tokenizer_config.json' in side and side <= {p.name for p in (tmp_path / 'q4').iterdir()}
    _, tok = mlx_lm.load(str(tmp_path / 'q4'))
    assert tok.eos_token == '<|im_end|>'  # without tokenizer_config.json mlx-lm's tokenizer had no EOS token


def _with_nan(smol, dst):
    "A copy of the bundled model with three NaN weights in one layer."
    shutil.copytree(smol, dst)
    f = next(dst.glob('*.safetensors'))
    w = mx.load(str(f))
    bad = 'model.layers.4.mlp.up_proj.weight'
    w[bad] = w[bad].at[0, :3].add(float('nan'))
    mx.save_safetensors(str(f), w, metadata={'format': 'mlx'})
    return bad[:-len('.weight')]


def test_nan_weights_are_announced(smol, tmp_path):
    layer = _with_nan(smol, tmp_path / 'nan')
    rc, out, err = oq('report', tmp_path / 'nan', '--no-sweep', '-o', tmp_path / 'r.html', '-q')
    assert rc == 0
    assert f'warning: 3 NaN/Inf weights in 1 layer ({layer}: 3)' in err, err
    html = (tmp_path / 'r.html').read_text()
    head = html.split('<h2>Figures</h2>')[0]
    assert 'class="warning"' in head and layer in head  # at the top of the report
    worst = head.split('Worst layers by SQNR')[1]
    assert worst.index(layer) < worst.index('model.layers.0')  # ranked first, not dropped by the sort


def test_ctrl_c_ends_in_one_line(smol, tmp_path):
    p = subprocess.Popen([EXE, 'quantize', smol, '--bits', '4', '-o', tmp_path / 'q'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ''
    while 'converting' not in seen:  # tqdm's bar on stderr: the conversion has started
        c = p.stderr.read(1)
        assert c, f'the command ended before converting: {seen}'
        seen += c
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    err = seen + err
    assert p.returncode == 130, (p.returncode, err[-2000:])
    lines = [l for l in err.splitlines() if l.strip() and 'converting' not in l]  # tqdm's bar may be there too
    assert lines == ['ominix-quant quantize: interrupted; nothing half-written was left'], err[-2000:]
    assert not (tmp_path / 'q').exists() and not [f for f in tmp_path.iterdir() if f.name.startswith('.q.')]
