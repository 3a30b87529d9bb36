"""Moxin-7B VLM as a first-class family, without a hub: the picker, dashboard, report, plan, quantize and bench work on it, each
tower its own branch; bad input is named and leaves nothing behind."""
import contextlib, io, json
import numpy as np
import pytest
from PIL import Image
from mlx.utils import tree_flatten
import mlx.core as mx
from ominix_quant.analysis import analyze
from ominix_quant.checkpoint import load_model
from ominix_quant.cli import main
from conftest import main_raise
from ominix_quant.fixtures import shaped_config, tiny_checkpoint
from ominix_quant.policy import KEEP, Policy, memory_plan
from ominix_quant.widgets import Dashboard, LayerPicker

PARTS = {'DINOv2 tower', 'SigLIP tower', 'projector', 'embeddings', 'decoder', 'head'}


@pytest.fixture(scope='module')
def vlm(tmp_path_factory):
    "A tiny Moxin in the transformers-converted layout (with the tensors Moxin never runs), with Mistral's tokenizer."
    return tiny_checkpoint('moxin', tmp_path_factory.mktemp('vlm') / 'tiny', layout='transformers')


def test_picker_dashboard_report(vlm, tmp_path):
    p = LayerPicker(vlm, recipe='vlm', progress=False)
    assert set(p.choices.components) == PARTS
    rep = analyze(vlm, p.policy, progress=False)
    assert (p.estimate.bytes_before, p.estimate.bytes_after) == (rep.bytes_before, rep.bytes_after)
    before = p.estimate.bytes_after
    p.node('component', 'DINOv2 tower').keep.value = False  # one tower quantized, the other still kept
    assert p.estimate.bytes_after < before
    assert p.policy.resolve(p.choices.table['vision_backbone.fused_featurizer.blocks.0.attn.qkv']) is KEEP  # SigLIP: still kept
    assert p.policy.resolve(p.choices.table['vision_backbone.featurizer.blocks.0.mlp.fc2']) is not KEEP  # its input (128) takes g64
    d = Dashboard(vlm, recipe='vlm', progress=False)
    assert set(d.picker.choices.components) == PARTS
    out = tmp_path / 'report.html'
    assert main(['report', str(vlm), '--recipe', 'vlm', '-o', str(out), '-q', '--no-sweep']) == 0
    html = out.read_text()
    assert 'SigLIP tower' in html and 'DINOv2 tower' in html and 'language_model.lm_head' in html


def test_plan_of_the_7b_config(tmp_path):
    cfg = tmp_path / 'config.json'
    cfg.write_text(json.dumps(shaped_config('moxin-7b')))  # Moxin-7B's converted config.json: no weights anywhere
    out = io.StringIO()
    with contextlib.redirect_stdout(out): assert main(['plan', str(cfg), '--recipe', 'vlm', '--json']) == 0
    got = json.loads(out.getvalue())
    assert set(got['components']) == PARTS
    assert round(got['total_bytes'] / 1e9, 3) == 10.264 and round(got['bfloat16_bytes'] / 1e9, 3) == 17.748
    assert got['unused_params'] == 43_080_480 and round(got['checkpoint_bytes'] / 1e9, 2) == 10.35  # the checkpoint's own size
    out = io.StringIO()
    with contextlib.redirect_stdout(out): assert main(['plan', str(cfg), '--recipe', 'vlm']) == 0
    assert 'never runs' in out.getvalue() and 'SigLIP tower' in out.getvalue()


def test_quantize_reads_back(vlm, tmp_path):
    dst = tmp_path / 'vlm-8bit'
    assert main(['quantize', str(vlm), '--recipe', 'vlm', '-o', str(dst), '-q']) == 0
    q = json.loads((dst / 'config.json').read_text())['quantization']
    assert q['vision_backbone.fused_featurizer.blocks.0.mlp.fc1'] is False and q['projector.fc3'] is False
    model, _ = load_model(dst)
    quantized = {p for p, m in model.named_modules() if type(m).__name__ == 'QuantizedLinear'}
    assert quantized and all(p.startswith('language_model.') for p in quantized) and 'language_model.lm_head' in quantized
    assert sum(v.nbytes for _, v in tree_flatten(model.parameters())) == memory_plan(vlm, Policy.from_recipe('vlm')).total_bytes
    with pytest.raises(ValueError, match='exists'):  # an existing folder is not overwritten
        main_raise(['quantize', str(vlm), '--recipe', 'vlm', '-o', str(dst), '-q'])


def test_bench_and_describe(vlm, tmp_path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(['bench', str(vlm), '-p', 'as stored', '-p', 'vlm', '--no-quality', '--decode-tokens', '4', '-q']) == 0
    text = out.getvalue()
    assert '| image s |' in text and '| as stored |' in text and '| vlm |' in text
    from ominix_quant.runners.vlm import VLMRunner
    r = VLMRunner(vlm, progress=False)
    rgb = (np.random.default_rng(0).random((300, 200, 3)) * 255).astype(np.uint8)
    a = r.describe(rgb, max_tokens=4)
    assert r.describe(Image.fromarray(rgb).convert('RGBA'), max_tokens=4) == a  # RGBA converted, the same pixels
    assert r.last.decode_tokens == 4 and r.last.image_tokens == 256
    assert isinstance(r.describe(Image.fromarray(rgb).convert('L'), max_tokens=2), str)  # grayscale converted


def test_bad_input(vlm, tmp_path):
    from ominix_quant.runners.vlm import VLMRunner
    r = VLMRunner(vlm, progress=False)
    (tmp_path / 'photo.png').write_bytes(b'\x89PNG\r\n\x1a\n truncated')
    with pytest.raises(ValueError, match='photo.png: not an image'): r.describe(tmp_path / 'photo.png')
    with pytest.raises(ValueError, match=r'shape \(4, 4, 5\)'): r.describe(np.zeros((4, 4, 5), np.uint8))
    # a converted checkpoint whose decoder config does not match its embedding: named, nothing loads
    bad = tmp_path / 'bad'
    bad.mkdir()
    for f in vlm.iterdir(): (bad / f.name).write_bytes(f.read_bytes())
    cfg = json.loads((bad / 'config.json').read_text()); cfg['text_config']['vocab_size'] = 32000
    (bad / 'config.json').write_text(json.dumps(cfg))
    with pytest.raises(Exception, match=r'embed_tokens.weight is \(32064, 64\), expected \(32000, 64\)'): load_model(bad)
    with pytest.raises(ValueError, match=r'expected \(32000, 64\)'):  # quantizing it names the problem and writes nothing
        main_raise(['quantize', str(bad), '--recipe', 'vlm', '-o', str(tmp_path / 'out'), '-q'])
    assert not (tmp_path / 'out').exists() and not list(tmp_path.glob('.out*'))


def test_towers_equal_timm(tmp_path):
    "Where timm runs (it needs a torchvision that matches torch: not PyPI's Linux build with CPU-only torch), its own towers, loaded strictly with a native checkpoint's tensors, give our features."
    try: import timm, torch
    except Exception as e: pytest.skip(f'timm does not import here ({type(e).__name__}: {str(e)[:80]})')
    from ominix_quant.models.moxin import pixels
    from ominix_quant.texts import image_sample
    f = tiny_checkpoint('moxin', tmp_path / 'native', 'float32', layout='prismatic')
    w = {k: torch.tensor(np.array(v)) for k, v in mx.load(str(f / 'model.safetensors')).items()}
    model, _ = load_model(f)
    px = pixels(image_sample(progress=False), model.specs)
    for name, ours, x, pre, kw in (('vit_large_patch14_reg4_dinov2', model.vision_backbone.featurizer, px[0], 'vision_backbone.featurizer.', {}),
                                   ('vit_so400m_patch14_siglip_224', model.vision_backbone.fused_featurizer, px[1], 'vision_backbone.fused_featurizer.',
                                    dict(mlp_ratio=4304 / 48))):
        s = ours.spec
        t = timm.create_model(name, pretrained=False, img_size=224, embed_dim=s.embed_dim, depth=s.depth, num_heads=s.num_heads, num_classes=0, **kw).eval()
        t.load_state_dict({k[len(pre):]: v for k, v in w.items() if k.startswith(pre)}, strict=True)  # the unused tensors too
        with torch.no_grad(): theirs = t.get_intermediate_layers(torch.tensor(np.array(x)).permute(0, 3, 1, 2), n={s.depth - 2})[0].numpy()
        assert np.abs(np.array(ours(x)) - theirs).max() / np.abs(theirs).max() < 1e-5
