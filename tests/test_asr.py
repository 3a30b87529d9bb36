"""Qwen3-ASR as a first-class family, without a hub: the picker, dashboard, report, plan and bench work on it; bad input
is named and leaves nothing behind."""
import contextlib, io, json
import numpy as np
import pytest
from ominix_quant.analysis import analyze
from ominix_quant.checkpoint import load_model
from ominix_quant.cli import main
from conftest import main_raise
from ominix_quant.fixtures import tiny_checkpoint
from ominix_quant.policy import Policy, memory_plan
from ominix_quant.widgets import Dashboard, LayerPicker


@pytest.fixture(scope='module')
def asr(tmp_path_factory):
    "A tiny Qwen3-ASR in transformers' layout, with the real Qwen3 tokenizer."
    return tiny_checkpoint('qwen3_asr', tmp_path_factory.mktemp('asr') / 'tiny', layout='transformers')


def test_picker_dashboard_report(asr, tmp_path):
    p = LayerPicker(asr, recipe='asr', progress=False)
    assert set(p.choices.components) == {'audio tower', 'embeddings', 'decoder'}
    rep = analyze(asr, p.policy, progress=False)
    assert (p.estimate.bytes_before, p.estimate.bytes_after) == (rep.bytes_before, rep.bytes_after)
    p.node('component', 'audio tower').keep.value = False  # the encoder at the default spec too
    p.node('component', 'audio tower').bits.value = 8
    assert p.estimate.bytes_after < rep.bytes_after
    d = Dashboard(asr, recipe='asr', progress=False)  # builds with its figures
    assert set(d.picker.choices.components) == {'audio tower', 'embeddings', 'decoder'}
    out = tmp_path / 'report.html'
    assert main(['report', str(asr), '--recipe', 'asr', '-o', str(out), '-q', '--no-sweep']) == 0
    assert 'audio_tower.layers.0.fc1' in out.read_text()


def test_plan_reads_no_weights(asr, tmp_path):
    cfg = tmp_path / 'config.json'
    cfg.write_text((asr / 'config.json').read_text())  # a bare config: no weights anywhere near it
    out = io.StringIO()
    with contextlib.redirect_stdout(out): assert main(['plan', str(cfg), '--recipe', 'asr', '--json']) == 0
    got = json.loads(out.getvalue())
    assert got['total_bytes'] == memory_plan(asr, Policy.from_recipe('asr')).total_bytes
    assert set(got['components']) == {'audio tower', 'embeddings', 'decoder'}


def test_bench_speech_model(asr):
    out = io.StringIO()
    with contextlib.redirect_stdout(out): assert main(['bench', str(asr), '-p', 'as stored', '-p', 'asr', '--no-quality', '-q']) == 0
    text = out.getvalue()
    assert '| RTF |' in text and '| as stored |' in text and '| asr |' in text


def test_bad_input(asr, tmp_path):
    from ominix_quant.runners.asr import ASRRunner
    r = ASRRunner(asr, progress=False)
    (tmp_path / 'x.mp3').write_bytes(b'ID3 not really')
    with pytest.raises(ValueError, match='x.mp3: not audio'): r.transcribe(tmp_path / 'x.mp3')
    with pytest.raises(ValueError, match='silent'): r.transcribe(np.zeros(32_000), 16_000)
    # a group size the audio tower cannot take (its width is 64): refused before anything is written
    with pytest.raises(ValueError, match=r'group size 128 does not divide their input size \(64\)'):
        main_raise(['quantize', str(asr), '-o', str(tmp_path / 'q'), '--recipe', 'asr-encoder-8bit', '--group-size', '128'])
    assert not (tmp_path / 'q').exists()
    model, _ = load_model(asr)  # the folder is untouched
    assert model is not None
