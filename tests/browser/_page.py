"""Drive one notebook in a JupyterLab page: open, run all, find errors, play with every control.

The page side lives in :data:`HELPERS` (installed as ``window.__lossopt``):
it reads the notebook's kernel state through ``window.jupyterapp``, records
every ``error`` and ``stderr`` message the kernel publishes, and times each
control change from the key press to the ``load`` of the new image.
"""

import json
import re
import time
from pathlib import Path

PROBE_SOURCE = (Path(__file__).resolve().parent / "_kernel_probe.py").read_text()

# Control kinds, in the order they are played with: choices first (a data set
# choice may enable a slider), then sliders and numbers, then buttons (a "reset"
# must find something to reset), Play last.
SELECTORS = {
    "dropdown": ".widget-dropdown select",
    "select": ".widget-select select",
    "toggle buttons": ".widget-toggle-buttons",
    "radio buttons": ".widget-radio-box",
    "checkbox": ".widget-checkbox input[type=checkbox]",
    "toggle button": "button.widget-toggle-button:not(.widget-toggle-buttons button)",
    "slider": ".widget-slider .noUi-handle-lower",
    "number": ".widget-text input[type=number]",
    "button": "button.widget-button",
    "play": ".widget-play",
}
# Inputs this test does not type into (no explorer uses them): counted in the summary, not silently skipped.
UNPLAYED = ".widget-text input:not([type=number]), .widget-textarea textarea, .widget-colorpicker, .widget-upload"
# ipywidgets' front end opens a "control" comm to a fresh kernel before the
# kernel has imported ipywidgets; the kernel logs that it knows no such comm.
# Only the front end makes dashed UUIDs (kernel-side widget ids are hex).
BENIGN_STDERR = r"^(No such comm: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
BENIGN_STDERR += r"|No such comm target registered: jupyter\.widget\.control)\s*$"

HELPERS = """
() => {
  if (window.__lossopt) return;
  const L = (window.__lossopt = { kernelErrors: [], state: null, frames: [], pictures: [] });
  L.container = () => document.querySelector('.jp-NotebookPanel') || document.body;  // Lab, or a Voila page
  L.panel = () => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return w && w.sessionContext && w.content ? w : null;
  };
  L.kernel = () => {
    const w = L.panel();
    return w && w.sessionContext.session ? w.sessionContext.session.kernel : null;
  };
  // 'idle' once the document is loaded and the kernel connected and idle.
  L.kernelState = () => {
    const w = L.panel();
    if (!w) return 'no notebook';
    if (!w.context.isReady || !w.sessionContext.isReady) return 'loading';
    const k = L.kernel();
    if (!k) return 'no kernel';
    return k.connectionStatus === 'connected' ? k.status : k.connectionStatus;
  };
  // JupyterLab's "Kernel Comms over subshells" setting as in force for this kernel.
  L.subshells = () => {
    const k = L.kernel();
    return { setting: window.jupyterapp.serviceManager.kernels.commsOverSubshells,
             kernel: k ? k.commsOverSubshells : null, supported: k ? !!k.supportsSubshells : null };
  };
  // Run code in the kernel (not in a cell); resolve to its stdout, reject with its error.
  L.exec = async code => {
    const future = L.kernel().requestExecute({ code, silent: false, store_history: false, allow_stdin: false });
    let out = '', error = null;
    future.onIOPub = msg => {
      const c = msg.content;
      if (msg.header.msg_type === 'stream' && c.name === 'stdout') out += c.text;
      if (msg.header.msg_type === 'error') error = c.ename + ': ' + c.evalue;
    };
    await future.done;
    if (error) throw new Error(error);
    return out;
  };
  // Every error or stderr message the kernel publishes, wherever Lab shows it
  // (a cell, the log console for widget callbacks) or not at all.
  L.listen = benign => {
    const harmless = new RegExp(benign);
    const k = L.kernel();
    if (!k || L.listening === k) return;
    L.listening = k;
    // Plain text, the exception and the last frames only.
    const plain = lines => lines.join('\\n').replace(/\\x1b\\[[0-9;]*m/g, '').split('\\n').slice(-14).join('\\n');
    // Widget messages that carry binary buffers (Colab's widget manager drops them: issue 13).
    L.buffered = [];
    k.anyMessage.connect((_, { msg }) => {
      if (msg.buffers && msg.buffers.length && /^comm_/.test(msg.header.msg_type))
        L.buffered.push(msg.header.msg_type + ' ' + (msg.content.data && msg.content.data.state
          ? Object.keys(msg.content.data.state).join(',') : ''));
    });
    k.iopubMessage.connect((_, msg) => {
      const c = msg.content;
      if (msg.header.msg_type === 'error') L.kernelErrors.push(plain(c.traceback));
      if (msg.header.msg_type === 'stream' && c.name === 'stderr') {
        const text = c.text.split('\\n').filter(line => line.trim() && !harmless.test(line)).join('\\n');
        if (text) L.kernelErrors.push('stderr: ' + plain([text]));
      }
    });
  };
  // An explorer's picture: an <img class="widget-image"> with a data URL inside an
  // HTML widget, replaced (a new element) on every frame. The element that holds
  // it (the widget's content) stays: it is the explorer's picture box.
  L.isPicture = n => n.nodeType === 1 && n.tagName === 'IMG' && n.classList.contains('widget-image');
  L.box = img => img.parentElement;
  L.pictureIndex = img => {
    const box = L.box(img);
    let i = L.pictures.indexOf(box);
    if (i < 0) { L.pictures.push(box); i = L.pictures.length - 1; }
    return i;
  };
  L.digest = async src => {
    const hash = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(src));
    return [...new Uint8Array(hash)].map(b => b.toString(16).padStart(2, '0')).join('').slice(0, 16);
  };
  // Every picture that arrives: its explorer, digest, when it was inserted and when it had loaded.
  L.record = img => {
    const f = { picture: L.pictureIndex(img), t: performance.now(), load: null, digest: null };
    L.frames.push(f);
    const loaded = () => { if (f.load === null) f.load = performance.now(); };
    img.addEventListener('load', loaded, { once: true });
    if (img.complete && img.naturalWidth) loaded();
    L.digest(img.getAttribute('src') || '').then(d => { f.digest = d; });
    for (const listener of L.onPicture || []) listener(img, f);
  };
  // The time of the last change anywhere in the notebook; every new picture recorded.
  L.watch = () => {
    L.lastMutation = performance.now();
    document.querySelectorAll('img.widget-image').forEach(img => L.pictureIndex(img));
    L.watcher = new MutationObserver(records => {
      L.lastMutation = performance.now();
      for (const r of records)
        for (const n of r.addedNodes || []) {
          if (L.isPicture(n)) L.record(n);
          else if (n.nodeType === 1) n.querySelectorAll('img.widget-image').forEach(L.record);
        }
    });
    L.watcher.observe(L.container(), { attributes: true, childList: true, subtree: true, characterData: true });
  };
  // The next notebook in the same page: forget the last one's pictures, frames, errors and watcher.
  L.reset = () => {
    if (L.watcher) L.watcher.disconnect();
    Object.assign(L, { kernelErrors: [], state: null, frames: [], pictures: [], keyTimes: [], listening: null });
  };
  // Close the notebook unsaved (Lab serves a throwaway copy), so that the next one is the only panel.
  L.close = () => {
    const w = L.panel();
    if (w) { w.context.model.dirty = false; w.dispose(); }
  };
  // The digests of the pictures shown now, by picture index.
  L.shown = async () => {
    const out = {};
    for (const img of L.container().querySelectorAll('img.widget-image'))
      out[L.pictureIndex(img)] = await L.digest(img.getAttribute('src') || '');
    return out;
  };
  // Idle kernel, or no kernel to ask (a Voila page: its quiet outputs are all there is to go by).
  L.idle = () => ['idle', 'no notebook'].includes(L.kernelState());
  L.cells = () => [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')];
  L.prompts = () => L.cells().map(c => (c.classList.contains('jp-CodeCell')
    ? (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '' : null));
  // What a student sees as an error: tracebacks, stderr, widgets that failed to render.
  L.pageErrors = () => {
    const found = [], root = L.container();
    for (const e of root.querySelectorAll(
        '[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-error'))
      found.push(e.innerText.slice(0, 3000));
    for (const e of root.querySelectorAll('.jp-OutputArea-output'))
      if (/Error displaying widget|Failed to load model class|model not found/i.test(e.innerText))
        found.push(e.innerText.slice(0, 500));
    return found;
  };
  // The outputs a control drives: the nearest enclosing box with a picture or
  // an Output widget (an Explorer's VBox), else the whole cell output.
  L.scope = control => {
    let e = control.parentElement;
    while (e && !e.classList.contains('jp-OutputArea-output') && e !== document.body) {
      if (e.querySelector('img.widget-image, .widget-output')) return e;
      e = e.parentElement;
    }
    return e;
  };
  // The picture a control drives (its explorer's), or -1.
  L.pictureOf = control => {
    const img = L.scope(control).querySelector('img.widget-image');
    return img ? L.pictureIndex(img) : -1;
  };
  L.snapshot = root => JSON.stringify([
    [...root.querySelectorAll('img')].map(i => i.src),
    [...root.querySelectorAll('.widget-html-content, .widget-htmlmath-content, .widget-output .jp-OutputArea-output')]
      .map(e => e.innerText),
  ]);
  L.label = control => {
    const box = control.closest('.widget-inline-hbox, .widget-toggle-buttons, .widget-radio-box, .widget-play')
      || control;
    const clean = t => (t || '').replace(/\\u200b/g, '').trim();
    const label = box.querySelector('.widget-label, .widget-label-basic');
    const text = clean(label && label.textContent) || clean(control.title) || clean(control.textContent)
      || clean(box.textContent).split('\\n')[0];
    return (text || box.className.split(' ').pop()).slice(0, 40);
  };
  L.disabled = c => !!(c.disabled || c.closest('[disabled], .mod-disabled')
    || (c.matches('.widget-toggle-buttons, .widget-radio-box') && !c.querySelector('button:enabled, input:enabled')));
  // The control's own value, to tell "did not move" from "moved, but nothing redrew".
  L.value = c => c.getAttribute('aria-valuenow') ?? c.value ?? c.className;
  // Before a change: remember what the outputs look like, and time the first
  // action, the first new picture of the control's explorer and its load.
  L.arm = control => {
    const root = L.scope(control), picture = L.pictureOf(control);
    const s = (L.state = { root, picture, before: L.snapshot(root), t0: null, frame: null, quietSince: 0,
                           armed: performance.now(),
                           mark: L.frames.length });
    // The student's action: a key press, a click, or a choice made in a <select>.
    for (const type of ['keydown', 'mousedown', 'change'])
      document.addEventListener(type, () => { if (s.t0 === null) s.t0 = performance.now(); },
        { capture: true, once: true });
    const observer = new MutationObserver(() => { s.quietSince = performance.now(); });
    observer.observe(root, { attributes: true, childList: true, subtree: true, characterData: true });
    s.observer = observer;
  };
  L.newFrame = () => {
    const s = L.state;
    if (s.frame === null) s.frame = L.frames.slice(s.mark).find(f => f.picture === s.picture) || null;
    return s.frame;
  };
  // Changed, kernel idle (where there is a kernel to ask), the outputs quiet for 100 ms,
  // and a new picture loaded. Cheapest test first: this runs every 20 ms while a
  // picture is on its way, and a snapshot (the pictures' data URLs, the texts'
  // innerText, which lays the page out) would hold up the very page it measures.
  L.changed = () => L.snapshot(L.state.root) !== L.state.before;
  L.settled = () => {
    const s = L.state;
    if (s.picture >= 0 && !(L.newFrame() && L.newFrame().load !== null) && performance.now() - s.armed < 3000)
      return false;  // the control's explorer has not shown a new picture yet (3 s: a control that draws none)
    return performance.now() - s.quietSince > 100 && L.idle() && L.changed();
  };
  L.disarm = () => {
    const s = L.state, f = L.newFrame();
    s.observer.disconnect();
    return { ms: s.t0 !== null && f !== null && f.load !== null ? f.load - s.t0 : null, image: f !== null,
             picture: s.picture };
  };
  // The time of every key press from now on (a burst's steps).
  L.keyTimes = [];
  document.addEventListener('keydown', () => L.keyTimes.push(performance.now()), { capture: true });
}
"""


def first_backwards(start, end, shown):
    """The first picture that shows an older value after a newer one, as (newer, older values), or None.

    ``shown``: for each picture in the order it arrived, the set of values it
    may stand for (identical pictures for several values give several; None,
    a picture not made in the burst). The values went from ``start`` towards ``end``.
    """
    sign = 1 if end > start else -1
    previous = start
    for candidates in shown:
        if not candidates:
            continue
        ahead = [v for v in candidates if sign * (v - previous) >= 0]
        if not ahead:
            return previous, sorted(candidates)
        previous = min(ahead, key=lambda v: sign * (v - previous))
    return None


class NotebookPage:
    """One notebook open in JupyterLab in ``page``; every wait is bounded by ``timeout`` ms."""

    OUTPUTS = ".jp-NotebookPanel .jp-OutputArea-output"  # where the controls and pictures are

    def __init__(self, page, server, name, timeout=60_000):
        self.page, self.server, self.name, self.timeout = page, server, name, timeout
        self.js_errors = []
        page.on("pageerror", self._on_error)
        self.log_start = server.log_size()

    def _on_error(self, error):
        self.js_errors.append(str(error))

    def open(self, workspace):
        """Open the notebook and wait for its kernel: in a page where Lab runs already, with Lab's own
        File > Open (see conftest's ``lab_tab``); else load Lab on it, in ``workspace``."""
        if self.page.evaluate("() => !!(window.jupyterapp && window.__lossopt)"):
            self.page.evaluate(
                "path => { __lossopt.reset(); window.jupyterapp.commands.execute('docmanager:open', { path }); }",
                f"notebooks/{self.name}",
            )
        else:
            url = f"{self.server.url}/lab/workspaces/{workspace}/tree/notebooks/{self.name}?token={self.server.token}"
            self.page.goto(url, timeout=self.timeout)
            self.page.wait_for_function("() => !!window.jupyterapp", timeout=self.timeout)
            self.page.evaluate(HELPERS)
        self.page.wait_for_function(
            "name => { const w = __lossopt.panel(); return !!w && w.context.path.endsWith('/' + name); }",
            arg=self.name,
            timeout=self.timeout,
        )
        self.wait_idle()
        self.page.evaluate("benign => __lossopt.listen(benign)", BENIGN_STDERR)
        self.page.evaluate("() => __lossopt.watch()")

    def close(self):
        """Close the notebook (its kernel is the server's to stop) and stop listening to the page."""
        self.page.remove_listener("pageerror", self._on_error)
        if not self.page.is_closed():
            self.page.evaluate("() => window.__lossopt && __lossopt.close()")

    def wait_idle(self, timeout=None):
        self.page.wait_for_function("() => __lossopt.kernelState() === 'idle'", timeout=timeout or self.timeout)

    def run_all(self, must_run):
        """Run > Run All Cells; wait until the kernel is idle and every cell in ``must_run`` has a count.

        ``must_run``: indices of the code cells with source. Returns early (and
        the caller fails) when a cell raised, since Lab then stops the run.
        """
        self.page.click(".lm-MenuBar-item:has-text('Run')")
        self.page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
        self.page.wait_for_function(
            """must => { const p = __lossopt.prompts(), L = __lossopt;
                if (L.kernelState() !== 'idle' || p.some(t => t && t.includes('*'))) return false;
                return must.every(i => /\\[\\d+\\]/.test(p[i] || '')) || L.kernelErrors.length > 0; }""",
            arg=must_run,
            timeout=self.timeout,
        )
        prompts = self.prompts()
        return [i for i in must_run if not re.search(r"\[\d+\]", prompts[i] or "")]

    def prompts(self):
        return self.page.evaluate("() => __lossopt.prompts()")

    def wait_widgets(self, count):
        """Wait until at least ``count`` widget pictures (explorers) have rendered, and no widget is loading."""
        self.page.wait_for_function(
            """([n, root]) => { const outputs = [...document.querySelectorAll(root)];
                return outputs.filter(e => e.querySelector('img.widget-image')).length >= n
                    && !outputs.some(e => e.textContent === 'Loading widget...'); }""",
            arg=[count, self.OUTPUTS],
            timeout=self.timeout,
        )

    def errors(self):
        """Errors so far: in the page, published by the kernel, in the kernel's log, in the page's JavaScript."""
        found = [f"in the notebook: {text}" for text in self.page.evaluate("() => __lossopt.pageErrors()")]
        found += [f"from the kernel: {text}" for text in self.page.evaluate("() => __lossopt.kernelErrors")]
        log = self.server.log_text(self.log_start)
        found += [f"in the kernel log: {block}" for block in log.split("\n[") if "Traceback" in block]
        found += [f"JavaScript: {text}" for text in self.js_errors]
        return found

    def controls(self):
        """Every visible control in the notebook's outputs, as (kind, element), in play order."""
        found = []
        for kind, selector in SELECTORS.items():
            for element in self.page.query_selector_all(f"{self.OUTPUTS} {selector}"):
                if element.is_visible():
                    found.append((kind, element))
        return found

    def label(self, element):
        return element.evaluate("e => __lossopt.label(e)")

    def unavailable(self, element):
        """Disabled or hidden (another control may have made it so): a student cannot use it now."""
        return not element.is_visible() or element.evaluate("e => __lossopt.disabled(e)")

    def unplayed(self):
        return len(self.page.query_selector_all(f"{self.OUTPUTS} :is({UNPLAYED})"))

    def change(self, kind, element, step=0):
        """Change one control the way a student would; wait until the outputs it drives settle.

        Returns ``{"changed": bool, "ms": key press to loaded image or None,
        "image": whether the picture changed, "value": (before, after)}``.
        """
        element.scroll_into_view_if_needed()
        before = element.evaluate("e => __lossopt.value(e)")
        self.page.evaluate("c => __lossopt.arm(c)", element)
        if kind == "slider":  # keyboard, as in the issue: arrows and page keys, up unless at the top
            now, top = (float(element.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemax"))
            keys = [("ArrowRight", "ArrowLeft"), ("PageUp", "PageDown")][step % 2]
            element.press(keys[0] if now < top - 1e-9 else keys[1])
        elif kind == "number":
            top = element.get_attribute("max")
            at_top = top is not None and float(element.input_value() or 0) >= float(top)
            element.press("ArrowDown" if at_top else "ArrowUp")
            element.press("Enter")  # ipywidgets commits a number on Enter
        elif kind in ("dropdown", "select"):
            count = element.evaluate("e => e.options.length")
            element.select_option(index=(element.evaluate("e => e.selectedIndex") + 1) % count)
        elif kind in ("toggle buttons", "radio buttons"):
            inactive = "button:not(.mod-active)" if kind == "toggle buttons" else "input:not(:checked)"
            element.query_selector(inactive).click()
        elif kind == "play":
            element.query_selector("button:has(.fa-play)").click()
        else:  # checkbox, toggle button, button
            element.click()
        # Play keeps changing its outputs: wait for the first change only.
        done = "__lossopt.changed()" if kind == "play" else "__lossopt.settled()"
        try:
            self.page.wait_for_function(f"() => {done}", timeout=15_000, polling=20)
            changed = True
        except Exception as error:  # Playwright's TimeoutError
            if "Timeout" not in type(error).__name__:
                raise
            changed = False
        result = self.page.evaluate("() => __lossopt.disarm()")
        if kind == "play":  # stop the animation, so it cannot pass for the next control's effect
            pause = element.query_selector("button:has(.fa-pause)")
            if pause:
                pause.click()
            self.wait_quiet()
        after = element.evaluate("e => __lossopt.value(e)")
        return {**result, "changed": changed, "value": (before, after)}

    # ------------------------------------------------------------------ the kernel side

    def run_in_kernel(self, code):
        """Run ``code`` in the notebook's kernel (not in a cell); return what it printed."""
        return self.page.evaluate("code => __lossopt.exec(code)", code)

    def attach_probe(self):
        """Instrument every explorer in the kernel (tests/browser/_kernel_probe.py); return how many."""
        code = (
            "import sys as _sys, types as _types\n"
            "_m = _sys.modules.get('_lossopt_probe') or _types.ModuleType('_lossopt_probe')\n"
            f"exec(compile({PROBE_SOURCE!r}, '_lossopt_probe', 'exec'), _m.__dict__)\n"
            "_sys.modules['_lossopt_probe'] = _m\n"
            "print(_m.PROBE.attach())"
        )
        return int(self.run_in_kernel(code))

    def probe(self, since=0):
        """What the probe recorded: explorers, frames (from number ``since``), threads, overlaps."""
        return json.loads(self.run_in_kernel(f"print(__import__('_lossopt_probe').PROBE.report({since}))"))

    def explorers(self):
        """Picture index in the page -> (class name, probe index), matched by the picture shown now."""
        shown = self.page.evaluate("() => __lossopt.shown()")
        by_digest = {e["digest"]: (e["class"], e["index"]) for e in self.probe()["explorers"]}
        return {int(picture): by_digest[digest] for picture, digest in shown.items() if digest in by_digest}

    def subshells(self):
        """JupyterLab's commsOverSubshells as in force, and whether the kernel supports subshells."""
        return self.page.evaluate("() => __lossopt.subshells()")

    def frames(self, start=0):
        """The pictures that arrived in the page since frame number ``start`` (their digests computed)."""
        self.page.wait_for_function("n => __lossopt.frames.slice(n).every(f => f.digest !== null)", arg=start)
        return self.page.evaluate("n => __lossopt.frames.slice(n)", start)

    def burst(self, handle, explorer, count=10, gap=0.03):
        """``count`` key presses on a slider handle, ``gap`` s apart (a held key); what the page showed.

        Returns ``{"settle_ms": last key press to the loaded picture of the last
        value, or None if it never came, "shown": the moved control's value
        for each picture that arrived, in order, "final": its value at the end,
        "control": its name, "backwards": the first older-after-newer pair, or None}``.
        """
        handle.scroll_into_view_if_needed()
        self.wait_quiet()
        low, now, top = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuenow", "aria-valuemax"))
        key = "ArrowRight" if now <= (low + top) / 2 else "ArrowLeft"
        picture = handle.evaluate("e => __lossopt.pictureOf(e)")
        before = self.probe()
        marks = self.page.evaluate("() => [__lossopt.frames.length, __lossopt.keyTimes.length]")
        for _ in range(count):
            handle.press(key)
            time.sleep(gap)
        keys = self.page.evaluate("n => __lossopt.keyTimes.slice(n)", marks[1])
        self.wait_quiet(500)
        after = self.probe(since=before["frame_count"])
        start, end = before["explorers"][explorer]["values"], after["explorers"][explorer]["values"]
        moved = [name for name in end if end[name] != start[name]]
        if len(moved) != 1:
            raise AssertionError(f"{count} presses of {key} moved {moved or 'no control'} ({start} -> {end})")
        name = moved[0]
        made = {}
        for frame in after["frames"]:
            if frame["explorer"] == explorer:
                made.setdefault(frame["digest"], set()).add(frame["values"][name])
        shown = [f for f in self.frames(marks[0]) if f["picture"] == picture]
        values = [made.get(f["digest"]) for f in shown]
        backwards = first_backwards(start[name], end[name], values)
        last = [f["load"] for f, v in zip(shown, values, strict=True) if v and end[name] in v and f["load"]]
        return {
            "control": name,
            "keys": len(keys),
            "final": end[name],
            "shown": [sorted(v) if v else None for v in values],
            "ends_on_final": bool(values and values[-1] and end[name] in values[-1]),
            "settle_ms": last[0] - keys[-1] if last and keys else None,
            "backwards": backwards,
        }

    def wait_quiet(self, quiet_ms=300):
        """Wait for the kernel to be idle and the notebook to stop changing for ``quiet_ms``."""
        self.page.wait_for_function(
            "ms => __lossopt.idle() && performance.now() - __lossopt.lastMutation > ms",
            arg=quiet_ms,
            timeout=15_000,
        )

    def screenshot(self, path, max_height=12_000):
        """The whole notebook, not only the viewport: grow the viewport to the notebook's height first."""
        size = self.page.viewport_size
        height = self.page.evaluate(
            """() => { const n = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
                          || document.querySelector('.jp-NotebookPanel .jp-Notebook');
                       return n ? n.scrollHeight : 0; }"""
        )
        try:
            tall = min(max(size["height"], height + 200), max_height)
            self.page.set_viewport_size({"width": size["width"], "height": tall})
            self.page.evaluate(
                """() => document.querySelectorAll('.jp-NotebookPanel :is(.jp-WindowedPanel-outer, .jp-Notebook)')
                         .forEach(e => { e.scrollTop = 0; })"""
            )
            time.sleep(0.3)  # one layout pass
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)
