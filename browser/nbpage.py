"""One notebook open in JupyterLab in a browser tab, driven as a student would drive it.

The page is read through the DOM (what the student sees) and through ``window.jupyterapp``
(the kernel's status and the cells' outputs, which the DOM only shows in part).
"""
from __future__ import annotations

import re
import time

# Text in an error stream or an error output that a student should never see.
ALARM = re.compile(r"Traceback|Error|Warning")

_PANEL = "window.jupyterapp.shell.currentWidget"
# Pictures the student sees: in outputs and in rendered Markdown (not the editors' own <img>).
_SHOWN_IMAGES = ".jp-OutputArea-output img, .jp-RenderedMarkdown img"

# The kernel's status, how many code cells are queued or running ("[*]"), how many non-empty
# code cells have not run, and every error output or alarming stderr text, cell by cell.
_STATE_JS = """() => {
  const panel = %s;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const state = {status: panel.sessionContext.kernelDisplayStatus, pending: 0,
                 unexecuted: 0, problems: []};
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    if (prompt && prompt.textContent.includes('*')) state.pending += 1;
    if (cell.model.executionCount === null && cell.model.sharedModel.getSource().trim())
      state.unexecuted += 1;
    const outputs = cell.model.outputs;
    for (let k = 0; k < outputs.length; k++) {
      const out = outputs.get(k).toJSON();
      if (out.output_type === 'error')
        state.problems.push(`cell ${index}: ${out.ename}: ${out.evalue}`);
      else if (out.output_type === 'stream' && out.name === 'stderr') {
        const text = Array.isArray(out.text) ? out.text.join('') : out.text;
        if (/%s/.test(text)) state.problems.push(`cell ${index} stderr: ${text.slice(0, 400)}`);
      }
    }
  });
  return state;
}""" % (_PANEL, ALARM.pattern)

# What the DOM shows: error-stream outputs with a traceback, error or warning, and widgets
# that failed to render.
_DOM_PROBLEMS_JS = """() => {
  const root = %s.content.node;
  const found = [];
  root.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
      .forEach((node) => { if (/%s/.test(node.textContent))
                             found.push('shown: ' + node.textContent.slice(0, 400)); });
  root.querySelectorAll('.jp-OutputArea-output').forEach((node) => {
    if (/Error displaying widget|model not found/.test(node.textContent))
      found.push('widget: ' + node.textContent.slice(0, 200));
  });
  return found;
}""" % (_PANEL, ALARM.pattern)

# Pictures a widget draws: in a widget Output (nnkit's Live) or an ipywidgets Image.
_FIGURE_IMAGES = ".widget-output img, img.widget-image"

# Marks each figure that a slider redraws: the nearest box around the slider that holds a
# widget picture. Returns one entry per figure: its first slider's label.
_MARK_LIVE_FIGURES_JS = """() => {
  const root = %s.content.node;
  const figures = [];
  const seen = new Set();
  root.querySelectorAll('.widget-slider').forEach((slider) => {
    let box = slider.parentElement;
    while (box && box !== root && !box.querySelector('%s')) box = box.parentElement;
    if (!box || box === root || seen.has(box)) return;
    seen.add(box);
    const id = String(figures.length);
    slider.setAttribute('data-nnkit-slider', id);
    box.setAttribute('data-nnkit-figure', id);
    const label = slider.querySelector('.widget-label');
    figures.push({id: id, label: label ? label.textContent : ''});
  });
  return figures;
}""" % (_PANEL, _FIGURE_IMAGES)

# A short fingerprint of the pictures under the elements matching a selector: a hash of
# their bytes (ipywidgets Image shows blob: URLs, new on every update even for equal bytes).
_FINGERPRINT_JS = """async (selector) => {
  const images = [];
  document.querySelectorAll(selector).forEach((node) => {
    if (node.tagName === 'IMG') images.push(node);
    else images.push(...node.querySelectorAll('%s'));
  });
  if (!images.length) return null;
  let hash = 2166136261;
  for (const img of images) {
    const src = img.src || '';
    let codes = Array.from(src, (c) => c.charCodeAt(0));
    if (src.startsWith('blob:')) {
      try { codes = new Uint8Array(await (await fetch(src)).arrayBuffer()); }
      catch (error) { /* revoked by a newer picture: its URL still tells them apart */ }
    }
    for (let i = 0; i < codes.length; i++) hash = Math.imul(hash ^ codes[i], 16777619);
  }
  return images.length + ':' + (hash >>> 0).toString(16);
}""" % _FIGURE_IMAGES

# Times, inside the page, a key press's way to a new picture under a selector: from the
# keydown event (its own time stamp) to the first animation frame after the new picture has
# decoded. A MutationObserver wakes on every new image or new ``src`` under the selector
# and hashes the pictures (the fingerprint above) only then, so nothing polls from outside,
# whose round trips (tens of ms each) would set the precision. Installed before the key
# press; ``window.__nnkitShown`` resolves to ``{pressed, shown, fingerprint}`` (ms, or
# ``shown: null`` after ``timeout_ms`` with no new picture).
_WATCH_NEW_PICTURE_JS = """([selector, before, timeoutMs]) => {
  const fingerprint = %s;
  const images = () => {
    const found = [];
    document.querySelectorAll(selector).forEach((node) => {
      if (node.tagName === 'IMG') found.push(node);
      else found.push(...node.querySelectorAll('%s'));
    });
    return found;
  };
  window.__nnkitShown = new Promise((resolve) => {
    let pressed = null, done = false, busy = false, again = false;
    const onKey = (event) => { if (pressed === null) pressed = event.timeStamp; };
    document.addEventListener('keydown', onKey, {capture: true});
    const observer = new MutationObserver(() => check());
    const finish = (result) => {
      if (done) return;
      done = true;
      observer.disconnect();
      clearTimeout(timer);
      document.removeEventListener('keydown', onKey, {capture: true});
      resolve(result);
    };
    const check = async () => {
      if (busy) { again = true; return; }
      busy = true;
      const now = await fingerprint(selector);
      if (!done && pressed !== null && now !== before) {
        await Promise.all(images().map((img) => img.decode().catch(() => null)));
        await new Promise((r) => requestAnimationFrame(() => r()));
        finish({pressed: pressed, shown: performance.now(), fingerprint: now});
      }
      busy = false;
      if (again && !done) { again = false; check(); }
    };
    document.querySelectorAll(selector).forEach((node) => observer.observe(
      node, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']}));
    const timer = setTimeout(() => finish({pressed: pressed, shown: null, fingerprint: before}),
                             timeoutMs);
  });
}""" % (_FINGERPRINT_JS, _FIGURE_IMAGES)


# Counts, at every animation frame (each time Chromium can paint), the pictures that the first
# image under a selector shows: a picture counts once it has decoded and is still the image's
# picture at a paint, so one replaced before it could be shown is not counted. Each counted
# picture's bytes are hashed, so a picture sent twice counts once. Resolves after ``ms``.
_COUNT_PAINTED_JS = """async ([selector, ms]) => {
  const node = document.querySelector(selector);
  const img = node && (node.tagName === 'IMG' ? node : node.querySelector('%s'));
  if (!img) return null;
  const hashes = new Set(), pending = [];
  let last = null, painted = 0, frames = 0;
  const hash = async (src) => {
    let codes = Array.from(src, (c) => c.charCodeAt(0));
    if (src.startsWith('blob:')) {
      try { codes = new Uint8Array(await (await fetch(src)).arrayBuffer()); }
      catch (error) { /* revoked by a newer picture: its URL still tells them apart */ }
    }
    let h = 2166136261;
    for (let i = 0; i < codes.length; i++) h = Math.imul(h ^ codes[i], 16777619);
    hashes.add(h >>> 0);
  };
  const end = performance.now() + ms;
  await new Promise((resolve) => {
    const tick = () => {
      frames += 1;
      if (img.src !== last && img.complete && img.naturalWidth > 0) {
        last = img.src; painted += 1; pending.push(hash(last));
      }
      if (performance.now() < end) requestAnimationFrame(tick); else resolve();
    };
    requestAnimationFrame(tick);
  });
  await Promise.all(pending);
  return {painted: painted, distinct: hashes.size, frames: frames, seconds: ms / 1000};
}""" % _FIGURE_IMAGES

# Keeps the kernel's last messages, both ways, in the page: when a notebook gets stuck, the
# failure shows what the kernel said last (an execute_request never answered, say).
_RECORD_KERNEL_JS = """() => {
  const kernel = %s.sessionContext.session && %s.sessionContext.session.kernel;
  if (!kernel || window.__nnkitKernelLog) return Boolean(kernel);
  window.__nnkitKernelLog = [];
  kernel.anyMessage.connect((_, args) => {
    const m = args.msg;
    const what = m.header.msg_type === 'status' ? m.content.execution_state
               : JSON.stringify(m.content).slice(0, 160);
    window.__nnkitKernelLog.push(`${new Date().toISOString()} ${args.direction} ` +
                                 `${m.channel} ${m.header.msg_type} ${what}`);
    if (window.__nnkitKernelLog.length > 40) window.__nnkitKernelLog.shift();
  });
  return true;
}""" % (_PANEL, _PANEL)


class NotebookPage:
    """A notebook opened in a fresh browser tab from the test's JupyterLab.

    Attributes
    ----------
    timings : dict of str -> float
        Seconds spent opening the notebook, running all cells, and so on.
    """

    def __init__(self, page, url: str):
        self.page, self.url = page, url
        self.timings: dict[str, float] = {}

    # -- opening and running ----------------------------------------------------------------
    def open(self, timeout: float = 90.0) -> None:
        """Load JupyterLab with the notebook and wait until its kernel is idle."""
        start = time.perf_counter()
        self.page.goto(self.url, timeout=timeout * 1000)
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell",
                                    timeout=timeout * 1000)
        self.page.wait_for_function(
            f"() => {_PANEL} && {_PANEL}.sessionContext"
            f" && {_PANEL}.sessionContext.kernelDisplayStatus === 'idle'",
            timeout=timeout * 1000)
        self.page.evaluate(_RECORD_KERNEL_JS)
        self.timings["open"] = time.perf_counter() - start

    def kernel_messages(self) -> list[str]:
        """The kernel's last messages (sent and received), oldest first; [] if unknown."""
        try:
            return self.page.evaluate("() => window.__nnkitKernelLog || []")
        except Exception as error:  # the page itself may be stuck or gone
            return [f"(could not read the kernel's messages: {error})"]

    def run_all(self, timeout: float = 180.0) -> dict:
        """Run > Run All Cells from the menu bar; wait until every cell has run or one failed.

        Returns the final state: kernel status, cells pending or not run, problems found.
        """
        start = time.perf_counter()
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        self.page.locator(".lm-Menu-itemLabel",
                          has_text=re.compile(r"^Run All Cells$")).click()
        settled, state = 0, None
        while time.perf_counter() - start < timeout:
            state = self.state()
            finished = (state and state["status"] == "idle" and state["pending"] == 0
                        and (state["unexecuted"] == 0 or state["problems"]))
            # idle twice in a row: not the short idle between two queued cells
            settled = settled + 1 if finished else 0
            if settled >= 2:
                break
            self.page.wait_for_timeout(400)
        else:
            raise TimeoutError(f"the notebook was still running after {timeout:.0f} s: {state}\n"
                               "the kernel's last messages:\n" + "\n".join(self.kernel_messages()))
        self.timings["run all"] = time.perf_counter() - start
        return state

    def state(self) -> dict | None:
        return self.page.evaluate(_STATE_JS)

    # -- what the student sees --------------------------------------------------------------
    def problems(self) -> list[str]:
        """Error outputs and alarming stderr in the cells' outputs, as stored and as shown."""
        state = self.state() or {"problems": ["the notebook panel is gone"]}
        return state["problems"] + self.page.evaluate(_DOM_PROBLEMS_JS)

    def wait_for_widgets(self, timeout: float = 30.0) -> None:
        """Wait until no widget output still shows its loading placeholder."""
        self.page.wait_for_function(
            f"() => !Array.from({_PANEL}.content.node.querySelectorAll('.jp-OutputArea-output'))"
            ".some((n) => /Loading widget/.test(n.textContent))", timeout=timeout * 1000)

    def broken_images(self) -> list[str]:
        """Images in the notebook that did not decode (zero natural width)."""
        return self.page.evaluate(
            f"() => Array.from({_PANEL}.content.node.querySelectorAll({_SHOWN_IMAGES!r}))"
            ".filter((img) => !(img.complete && img.naturalWidth > 0))"
            ".map((img) => (img.src || '').slice(0, 80))")

    def image_count(self) -> int:
        return self.page.evaluate(
            f"() => {_PANEL}.content.node.querySelectorAll({_SHOWN_IMAGES!r}).length")

    def math(self) -> dict:
        """How many Markdown cells hold LaTeX, typeset formulas, and MathJax errors."""
        return self.page.evaluate(f"""() => {{
          const panel = {_PANEL}.content;
          const sources = panel.widgets.filter((c) => c.model.type === 'markdown')
                                       .map((c) => c.model.sharedModel.getSource());
          const root = panel.node;
          return {{cells_with_latex: sources.filter((s) => /\\$[^$]+\\$/.test(s)).length,
                   typeset: root.querySelectorAll('.jp-RenderedMarkdown mjx-container').length,
                   errors: Array.from(root.querySelectorAll('mjx-merror'))
                                .map((n) => n.getAttribute('data-mjx-error') || n.textContent)}};
        }}""")

    def fingerprint(self, selector: str) -> str | None:
        return self.page.evaluate(_FINGERPRINT_JS, selector)

    def wait_for_change(self, selector: str, before: str | None, timeout: float) -> str | None:
        """Poll the fingerprint of ``selector``'s images until it differs from ``before``."""
        deadline = time.perf_counter() + timeout
        now = self.fingerprint(selector)
        while now == before and time.perf_counter() < deadline:
            self.page.wait_for_timeout(50)
            now = self.fingerprint(selector)
        return now

    # -- sliders ----------------------------------------------------------------------------
    def live_figures(self) -> list[dict]:
        """Every figure a slider redraws, each with the id of its first slider."""
        return self.page.evaluate(_MARK_LIVE_FIGURES_JS)

    def drag_slider(self, figure_id: str, timeout: float = 15.0) -> dict:
        """Drag the figure's slider by a third of its track, as with a mouse.

        Returns the readout before and after, and the figure's fingerprint before and after.
        """
        slider = self.page.locator(f'[data-nnkit-slider="{figure_id}"]')
        figure = f'[data-nnkit-figure="{figure_id}"]'
        slider.scroll_into_view_if_needed()
        readout = slider.locator(".widget-readout")
        before = {"readout": readout.inner_text(), "figure": self.fingerprint(figure)}
        handle = slider.locator(".noUi-handle").bounding_box()
        track = slider.locator(".noUi-base").bounding_box()
        x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        # move right unless that would leave the track, then left
        shift = track["width"] / 3
        target = x + shift if x + shift <= track["x"] + track["width"] else x - shift
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(target, y, steps=8)
        self.page.mouse.up()
        after_figure = self.wait_for_change(figure, before["figure"], timeout)
        # the last drag position may still be drawing: let it settle
        self.page.wait_for_timeout(500)
        return {"readout": (before["readout"], readout.inner_text()),
                "figure": (before["figure"], after_figure)}

    def step_slider(self, figure_id: str, timeout: float = 15.0, presses: int = 1) -> dict:
        """Move the figure's slider by ``presses`` steps of the keyboard (arrow keys on its handle).

        Each press waits for the new picture before the next. Returns the readout and
        fingerprint before the first press and after the last, and ``seconds``: for each
        press, the time from the key press to the new picture on screen (the round trip
        browser -> kernel -> browser of one redraw), measured in the page (see
        ``_WATCH_NEW_PICTURE_JS``); ``None`` where no new picture came within ``timeout``.
        """
        slider = self.page.locator(f'[data-nnkit-slider="{figure_id}"]')
        figure = f'[data-nnkit-figure="{figure_id}"]'
        handle = slider.locator(".noUi-handle")
        readout = slider.locator(".widget-readout")
        first = {"readout": readout.inner_text(), "figure": self.fingerprint(figure)}
        handle.focus()
        picture, seconds = first["figure"], []
        for _ in range(presses):
            at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            self.page.evaluate(_WATCH_NEW_PICTURE_JS, [figure, picture, int(timeout * 1000)])
            start = time.perf_counter()
            self.page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
            shown = self.page.evaluate("() => window.__nnkitShown")
            outside = time.perf_counter() - start
            if shown["shown"] is None or shown["pressed"] is None:
                seconds.append(None)
                break
            inside = (shown["shown"] - shown["pressed"]) / 1000
            # The page's span lies within this one's (which adds the round trips to Chromium).
            assert 0 < inside <= outside, f"in-page time {inside:.3f} s, outside {outside:.3f} s"
            seconds.append(inside)
            self.page.wait_for_timeout(200)  # let the rest of the redraw (other panels) land
            picture = self.fingerprint(figure)
        return {"readout": (first["readout"], readout.inner_text()),
                "figure": (first["figure"], self.fingerprint(figure)), "seconds": seconds}

    # -- the playground's Train and Pause ---------------------------------------------------
    def button(self, css_class: str, text: str):
        """A widget button by its DOM class, else by its visible text."""
        by_class = self.page.locator(f"button.{css_class}")
        if by_class.count():
            return by_class.first
        return self.page.locator(".jupyter-widgets button",
                                 has_text=re.compile(rf"^\W*{text}\W*$")).first

    def loss_figure_selector(self, train_button) -> str:
        """The loss curve (``nnkit-loss-figure``), else every image in the Train button's box."""
        if self.page.locator(".nnkit-loss-figure").count():
            return ".nnkit-loss-figure"
        train_button.evaluate("""(button) => {
          let box = button.parentElement;
          while (box && !box.querySelector('img')) box = box.parentElement;
          if (box) box.setAttribute('data-nnkit-train-box', '1');
        }""")
        return "[data-nnkit-train-box]"

    def playground_epoch(self) -> int | None:
        """The epoch the playground's status line shows ("epoch 12/200 ..."), if there is one."""
        text = self.page.evaluate(
            "() => { const s = document.querySelector('.nnkit-status'); "
            "return s ? s.textContent : null; }")
        found = re.search(r"epoch (\d+)/", text or "")
        return int(found.group(1)) if found else None

    def count_painted(self, selector: str, seconds: float) -> dict:
        """Distinct pictures the first image under ``selector`` showed at a paint over ``seconds``.

        Counted in the page at every animation frame (not by polling from here, which
        would cap the count at the polling rate). Returns ``painted`` (pictures shown at a
        paint), ``distinct`` (of those, with different bytes), ``frames`` (animation frames)
        and ``seconds``.
        """
        return self.page.evaluate(_COUNT_PAINTED_JS, [selector, int(seconds * 1000)])

    def watch(self, selector: str, seconds: float, every: float = 0.2) -> list[str]:
        """The distinct fingerprints the images under ``selector`` showed over ``seconds``."""
        seen, deadline = [], time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            now = self.fingerprint(selector)
            if not seen or now != seen[-1]:
                seen.append(now)
            self.page.wait_for_timeout(every * 1000)
        return seen

