"The README's Python examples, run as a new user would paste them: every ```python block, in order, in one fresh interpreter."
import os, re, subprocess, sys, textwrap
from pathlib import Path

README = Path(__file__).parents[1] / 'README.md'


def blocks(text: str) -> list:
    "The ```python blocks of a markdown text."
    return re.findall(r'^```python\n(.*?)^```', text, re.S | re.M)


def test_readme_has_examples():
    bs = blocks(README.read_text())
    assert len(bs) >= 4 and all(b.strip() for b in bs)


def test_readme_examples_run(smol, tmp_path):
    "Each block runs after the ones above it (as in one notebook), in an empty folder, on the bundled model; nothing raises."
    code = '\n'.join(f'# --- README block {i + 1}\n{b}' for i, b in enumerate(blocks(README.read_text())))
    env = {**os.environ, 'OMINIX_MODELS': os.environ['OMINIX_MODELS'], 'PYTHONUNBUFFERED': '1'}
    r = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, textwrap.shorten(r.stderr[-3000:], 3000)
    # what the blocks say they write, they write
    assert (tmp_path / 'picked.json').is_file()
    assert (tmp_path / 'smollm2-mixed' / 'config.json').is_file()
