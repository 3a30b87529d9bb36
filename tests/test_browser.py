"""The dashboard in a real browser: `ominix-quant app` serves it with Voilà on 127.0.0.1 with a token, Debian's chromium
(driven by Playwright, never `playwright install`) uses it as a person would — reads the title and the help, unticks and
reticks what the recipe keeps, switches the decoder to 4 bits, keeps a layer group, saves the policy — and then the
command the page shows quantizes the model exactly as chosen. The page fetches nothing from outside 127.0.0.1; with every
layer kept the error chart says so. Screenshots go to test-artifacts/. Ctrl-C (SIGINT) then stops the app cleanly."""
import json, os, secrets, shlex, shutil, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run']
ARTIFACTS = Path(os.environ.get('OMINIX_ARTIFACTS', Path(__file__).parents[1] / 'test-artifacts'))
PLOTS = "() => [...document.querySelectorAll('.js-plotly-plot')].map(g => JSON.stringify((g.data || []).map(t => [t.y, t.marker && t.marker.color])))"
TITLE = "t => { const g = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout && g.layout.title && String(g.layout.title.text || g.layout.title).includes(t)); return g ? String(g.layout.title.text || g.layout.title) : '' }"
ERROR_AXIS = "() => { const g = [...document.querySelectorAll('.js-plotly-plot')].find(g => String(g.layout.title.text || g.layout.title).includes('relative weight error')); return [g.layout.yaxis.range, (g.layout.annotations || []).map(a => a.text)] }"
GROUP = 'model-layers-mlp-down-proj'  # the slug of the layer group model.layers.*.mlp.down_proj

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason='needs Debian chromium (apt-get install chromium); .ci/run installs it')


def _port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _wait_up(url, proc, seconds=120):
    "Wait until the server answers (or the app died)."
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None: raise RuntimeError(f'the app exited with {proc.returncode}:\n{proc.log.read_text()[-3000:]}')
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200: return
        except OSError: time.sleep(0.5)
    raise TimeoutError(f'{url} did not answer in {seconds} s')


@pytest.fixture
def app(smol, tmp_path):
    "The app on the bundled model, started from `tmp_path` as a user would start it; stopped with Ctrl-C (SIGINT)."
    port, token = _port(), secrets.token_urlsafe(12)
    exe = Path(sys.executable).parent / 'ominix-quant'
    log = tmp_path / 'app.log'  # a file, not a pipe: Voilà logs a lot, and a full pipe would stall it
    with open(log, 'w') as out:
        proc = subprocess.Popen([str(exe), 'app', str(smol), '--recipe', 'llm', '--port', str(port), f'--token={token}'],  # '=': a random token may start with '-'
                                stdout=out, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    proc.log = log
    url = f'http://127.0.0.1:{port}/?token={token}'
    try:
        _wait_up(url.split('?')[0] + 'voila/static/favicon.ico', proc)  # a static file: the page itself would start a kernel
        yield url, proc, tmp_path
    finally:
        proc.send_signal(signal.SIGINT)
        try: proc.wait(60)
        except subprocess.TimeoutExpired: proc.kill(); raise


def _use_the_page(page, url, work):
    "What a person does in the app; returns the saved policy's path, the downloaded copy and the command shown."
    page.goto(url, timeout=120_000)
    page.wait_for_selector('.oq-memory', timeout=300_000)  # the kernel sweeps the model first
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=120_000)
    text = page.inner_text('body')
    assert 'What to quantize in' in text and 'save policy' in text and 'inherit takes the choice of the row above' in text, text[:2000]
    shown = page.eval_on_selector('.oq-bits-component-decoder select', 'e => e.options[e.selectedIndex].text')
    assert shown == 'inherit', shown
    recipe = (page.inner_text('.oq-recipe label'), page.eval_on_selector('.oq-recipe select', 'e => e.options[e.selectedIndex].text'))
    assert recipe == ('recipe', 'llm'), recipe  # the menu the app was started with
    # the recipe keeps the embeddings: the box says so, and unticking it quantizes them
    emb = '.oq-keep-component-embeddings input[type=checkbox]'
    assert page.is_checked(emb) and page.inner_text('.oq-state-component-embeddings') == '→ KEEP'
    page.uncheck(emb)
    page.wait_for_function("() => document.querySelector('.oq-state-component-embeddings').innerText === '→ 8-bit g64'", timeout=60_000)
    page.check(emb)
    page.wait_for_function("() => document.querySelector('.oq-state-component-embeddings').innerText === '→ KEEP'", timeout=60_000)
    page.wait_for_function(TITLE, arg='per-group relative error', timeout=60_000)  # the selected layer's heatmap
    assert '8-bit g64' in page.evaluate(TITLE, '|scale| per group')
    page.screenshot(path=str(ARTIFACTS / 'dashboard-before.png'), full_page=True)
    # the decoder at 4 bits: the read-out, the heatmap and the scales of the selected layer follow
    memory, chart = page.inner_text('.oq-memory'), page.evaluate(TITLE, 'memory by component')
    page.select_option('.oq-bits-component-decoder select', label='4-bit')
    page.wait_for_function("m => document.querySelector('.oq-memory').innerText !== m", arg=memory, timeout=60_000)
    page.wait_for_function(f"() => ({TITLE})('|scale| per group').includes('4-bit g64')", timeout=60_000)
    page.wait_for_function(f"c => ({TITLE})('memory by component') !== c", arg=chart, timeout=60_000)  # the figures follow, not only the text
    assert '4-bit g64' in page.evaluate(TITLE, 'per-group relative error')
    # keep every down_proj in BF16, then save
    page.click('.oq-open-component-decoder')
    page.check(f'.oq-keep-group-{GROUP} input[type=checkbox]')
    page.wait_for_function(f"() => document.querySelector('.oq-state-group-{GROUP}').innerText === '→ KEEP ×30'", timeout=60_000)
    page.click('.oq-save')
    page.wait_for_selector('.oq-command', timeout=60_000)
    command = page.inner_text('.oq-command')
    with page.expect_download() as dl:
        page.click('.oq-download')
    got = work / 'downloaded.json'
    dl.value.save_as(got)
    saved = next(work.glob('*-policy.json'))
    page.screenshot(path=str(ARTIFACTS / 'dashboard.png'), full_page=True)
    # everything kept: the error chart says so, on an honest axis
    plots = page.evaluate(PLOTS)
    page.check('.oq-keep-component-decoder input[type=checkbox]')
    page.wait_for_function(f"p => JSON.stringify(({PLOTS})()) !== JSON.stringify(p)", arg=plots, timeout=60_000)
    page.wait_for_function("() => document.querySelector('.oq-memory').innerText.includes('211 of 211 layers kept')", timeout=60_000)
    page.wait_for_function(f"() => ({ERROR_AXIS})()[1].length > 0", timeout=60_000)
    rng, notes = page.evaluate(ERROR_AXIS)
    assert rng == [0, 0.01] and 'every layer is kept in BF16' in notes[0], (rng, notes)
    assert '269.0 → 269.0 MB' in page.evaluate(TITLE, 'memory by component')
    page.screenshot(path=str(ARTIFACTS / 'dashboard-all-kept.png'), full_page=True)
    return saved, got, command


def test_dashboard_in_chromium(app):
    from playwright.sync_api import sync_playwright
    url, proc, work = app
    with urllib.request.urlopen(url.split('?')[0], timeout=10) as r:  # without the token: sent to the login page
        assert '/login' in r.geturl()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    outside = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={'width': 1500, 'height': 1400}, accept_downloads=True)
        page.on('request', lambda r: outside.append(r.url) if not r.url.startswith(('http://127.0.0.1', 'data:', 'blob:')) else None)
        try: saved, got, command = _use_the_page(page, url, work)
        except Exception as e:
            page.screenshot(path=str(ARTIFACTS / 'dashboard-failure.png'), full_page=True)
            raise AssertionError(f'{e}\n--- the app\'s log:\n{proc.log.read_text()[-4000:]}') from e
        finally: browser.close()
    assert not outside, f'the page fetched from outside 127.0.0.1 (it must work offline): {outside[:5]}'
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    proc.wait(60)
    out = proc.log.read_text()
    assert proc.returncode == 0, out[-3000:]
    assert 'stopping' in out and 'Traceback' not in out.split('stopping')[-1], out[-2000:]
    # the saved file, the download and the command agree, and the command makes the model that was chosen
    assert got.read_text() == saved.read_text()
    args = shlex.split(command)
    assert args[:2] == ['ominix-quant', 'quantize'] and args[args.index('--policy') + 1] == str(saved), command
    run = subprocess.run([str(Path(sys.executable).parent / 'ominix-quant'), *args[1:], '-q'], cwd=work, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    q = json.loads((work / args[args.index('-o') + 1] / 'config.json').read_text())['quantization']
    assert (q['bits'], q['group_size'], q['model.embed_tokens']) == (8, 64, False)
    for i in range(30):
        assert q[f'model.layers.{i}.mlp.down_proj'] is False
        assert q[f'model.layers.{i}.mlp.up_proj'] == {'group_size': 64, 'bits': 4} and q[f'model.layers.{i}.self_attn.q_proj'] == {'group_size': 64, 'bits': 4}
