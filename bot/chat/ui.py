"""The chat's page: gradio components and how they are wired to the engine.

Looks live in style.css and page.css beside this file; cards and replies are
rendered by render.py; uploads are checked by uploads.py.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from .engine import DEFAULT_K, MODES, Engine, answer_html
from .render import render_files, render_question, render_stats, render_status
from .uploads import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, add_uploads

HERE = Path(__file__).resolve().parent
CSS = (HERE / "style.css").read_text(encoding="utf-8")
HEAD = "<style>\n" + (HERE / "page.css").read_text(encoding="utf-8") + "</style>"


# After a question and after its answer: scroll the chat so that the latest question is
# at the top, and the answer reads from its first card down.
SCROLL_TO_QUESTION = """() => { setTimeout(() => {
  const wrap = document.querySelector('#qa-chat .bubble-wrap');
  const rows = wrap ? wrap.querySelectorAll('.message-row.user-row') : [];
  if (!rows.length) return;
  const last = rows[rows.length - 1];
  wrap.scrollTop += last.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8;
}, 120); }"""

PLACEHOLDER = (
    "<div style='text-align:center;opacity:.8'><p><strong>Ask a question about the articles</strong>"
    " — in Chinese or English.</p><p>Answers are passages quoted from the articles, best first, "
    "with the answering sentence highlighted.</p><p>Follow-ups such as <em>她后来去了哪里?</em> or "
    "<em>where did she go after that?</em> continue from your previous question.</p></div>")


UPLOAD_HELP = ("<div id='qa-help'><p>Files: " + " ".join(UPLOAD_SUFFIXES) + " (PDFs need a text "
               "layer: scans are refused). New files go to the data folder's <code>uploads/</code>. Only "
               "what changed is re-indexed; the current index keeps answering until the new one "
               "is ready.</p></div>")


BUSY = "<div class='qa-status qa-busy'></div>"   # room for the progress bar while updating
MAX_SOURCE_CHOICES = 2000   # files offered in the Sources list; patterns reach the rest


def _bar_text(bar) -> str | None:
    """'reading 2 files 1/2 (a.txt)' for a bar with a total; None for one without, or for one
    tqdm lists in its instances before __init__ has set its fields (another thread's bar)."""
    try:
        if not bar.total:
            return None
        return f"{bar.desc} {bar.n}/{bar.total}" + (f" ({bar.postfix})" if bar.postfix else "")
    except AttributeError:
        return None


@contextmanager
def progress_in_terminal(every: float = 0.5):
    """Print the build's progress bars to the terminal too, whenever they move (checked
    every `every` s): gradio (track_tqdm) shows them on the page and nowhere else."""
    from tqdm import tqdm

    say = lambda text: print(f"qabot: {text}", flush=True)   # noqa: E731
    done = threading.Event()

    def echo():
        last = ""
        while not done.wait(every):
            try:
                bars = list(tqdm._instances)
            except RuntimeError:        # a bar came or went while copying: next time
                continue
            line = "; ".join(filter(None, map(_bar_text, bars)))
            if line and line != last:
                say(line)
                last = line

    say("updating the index (started from the page) …")
    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    try:
        yield
    except Exception as e:
        say(f"the index was not updated: {e}")
        raise
    finally:
        done.set()
        thread.join()


def make_theme():
    import gradio as gr

    # System fonts only: an offline app must not fetch web fonts.
    return gr.themes.Default(
        primary_hue="emerald", neutral_hue="slate",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans CJK SC", "PingFang SC",
              "Microsoft YaHei", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])


def build_ui(engine: Engine):
    import gradio as gr

    from ..retriever import QuestionError, answer_json
    from ..store import BuildLocked, IndexError_, NoSpace

    def examples_update():
        return gr.Dataset(samples=[[q] for q in engine.examples], visible=bool(engine.examples))

    def show_question(question, history):
        question = (question or "").strip()
        history = list(history or [])
        if question:
            history.append({"role": "user", "content": render_question(question)})
        return "", history, question

    def answer(question, history, memory, k, mode, since, until, sources):
        history = list(history or [])
        if not question:
            return history, memory
        scope = {"since": since, "until": until, "sources": list(sources or [])}
        reply, memory = answer_html(engine, memory, question, k, mode, scope)
        history.append({"role": "assistant", "content": reply})
        return history, memory

    def pick_example(sample):
        return (sample[0] if isinstance(sample, (list, tuple)) else sample) or ""

    def sources_update():
        files = sorted((engine.info() or {}).get("files") or {})
        return gr.Dropdown(choices=files[:MAX_SOURCE_CHOICES])

    def refresh_panel(query=""):
        return (render_stats(engine.info(), engine.error), examples_update(), sources_update(),
                render_files(engine.info(), query))

    def list_files(query):
        return render_files(engine.info(), query)

    def update_index(files, query, progress=gr.Progress(track_tqdm=True)):
        lines: list[tuple[str, str]] = []
        paths = [getattr(f, "name", f) for f in (files or [])]
        if engine.build_lock.locked():
            lines.append(("warn", "An index update is already running; try again when it finishes."))
            return render_status(lines), *refresh_panel(query), gr.update()
        progress(0, desc="Checking files")
        if paths:
            added, notes = add_uploads(paths, engine.data_dir, allowed_root=gr.utils.get_upload_folder())
            lines += notes
            if not added:
                lines.append(("info", "Nothing new to index; the current index keeps serving."))
                return render_status(lines), *refresh_panel(query), None
        progress(0.05, desc="Updating the index")
        try:
            with progress_in_terminal():
                report = engine.build(progress=True)
                print(f"qabot: {report.summary()}", flush=True)
        except BuildLocked:
            lines.append(("error", "Another build of this index is running (perhaps `qabot build`); "
                                   "try again in a minute. The current index keeps serving."))
        except NoSpace as e:                # its message says that the old index serves
            lines.append(("error", f"{str(e)[:1].upper()}{str(e)[1:]}."))
        except (ValueError, IndexError_, OSError, RuntimeError) as e:
            lines.append(("error", f"The index was not updated: {e}. The current index keeps serving."))
        else:
            if report.up_to_date:
                lines.append(("ok", f"The index is up to date ({report.passages} passages)."))
            else:
                changes = ", ".join(f"{n} {w}" for n, w in ((len(report.added), "added"),
                                    (len(report.changed), "changed"), (len(report.removed), "removed")) if n)
                lines.append(("ok", f"Index updated in {report.seconds:.1f} s: {report.documents} articles, "
                                    f"{report.passages} passages" + (f" (files: {changes})" if changes else "") + "."))
            lines += [("warn", str(p)) for p in report.skipped[:8]]
            if len(report.skipped) > 8:
                lines.append(("warn", f"… and {len(report.skipped) - 8} more skipped"))
            lines += [("warn", f"{p} (indexed)") for p in report.warnings[:8]]
        return render_status(lines), *refresh_panel(query), None

    def api_ask(question: str, k: int = 5, mode: str = "hybrid") -> dict:
        """The best passages for one question (no conversation memory).

        Returns {"question", "answered": bool, "hits": [{title, section, text, answer,
        answer_span, confidence, relevant, source, date, matched_terms, ...}]}."""
        retriever = engine.retriever
        if retriever is None:
            raise gr.Error("There is no index yet.")
        if mode not in MODES:
            raise gr.Error(f"mode must be one of {', '.join(MODES)}")
        try:
            hits = retriever.search(question, k=k, mode=mode)     # a bad k is a QuestionError naming the range
        except QuestionError as e:
            raise gr.Error(str(e))
        return answer_json(question, hits)

    with gr.Blocks(title="qabot", analytics_enabled=False) as demo:
        conv = gr.State(None)          # this session's last question and hits, for follow-ups
        pending = gr.State("")
        gr.HTML("<div id='qa-header'><h1>qabot</h1><p>Answers from your articles, quoted as passages "
                "— offline, no generated text.</p></div>")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(elem_id="qa-chat", show_label=False, height="min(68vh, 720px)",
                                     placeholder=PLACEHOLDER, buttons=[], feedback_options=None,
                                     latex_delimiters=[], layout="bubble", autoscroll=False)
                box = gr.Textbox(elem_id="qa-input", show_label=False, lines=1, max_lines=4,
                                 placeholder="Ask a question, in Chinese or English… 请输入问题", submit_btn="Ask",
                                 autofocus=True)
                examples = gr.Dataset(label="Examples from the articles", components=[box],
                                      samples=[[q] for q in engine.examples], elem_id="qa-examples",
                                      visible=bool(engine.examples), samples_per_page=8)
            with gr.Column(scale=1, min_width=270):
                with gr.Accordion("Answer settings", open=True):
                    k = gr.Slider(1, 10, value=DEFAULT_K, step=1, label="Passages",
                                  elem_id="qa-k")
                    mode = gr.Radio([(label, key) for key, label in MODES.items()], value="hybrid",
                                    label="Retrieval", elem_id="qa-mode",
                                    info="Hybrid combines meaning (the model) and keywords (BM25).")
                with gr.Accordion("Scope", open=False, elem_id="qa-scope"):
                    with gr.Row():
                        since = gr.Textbox(label="Since", placeholder="2023-01-01", max_lines=1,
                                           elem_id="qa-since", min_width=100)
                        until = gr.Textbox(label="Until", placeholder="2023-12-31", max_lines=1,
                                           elem_id="qa-until", min_width=100)
                    sources = gr.Dropdown(choices=[], value=[], multiselect=True, allow_custom_value=True,
                                          label="Sources", elem_id="qa-sources",
                                          info="Files to answer from, or patterns such as *.pdf; "
                                               "empty: all. Dates are the articles' own.")
                with gr.Accordion("Index", open=True):
                    stats = gr.HTML(render_stats(engine.info(), engine.error), elem_id="qa-stats")
                    file_query = gr.Textbox(show_label=False, placeholder="Find a file by name or title",
                                            elem_id="qa-file-search", lines=1, max_lines=1)
                    files = gr.HTML(render_files(engine.info()), elem_id="qa-files")
                    # No file_types filter: the browser would refuse other files with a passing
                    # toast; add_uploads says in the status which file was refused and why.
                    upload = gr.File(label=f"Add articles (≤ {MAX_UPLOAD_BYTES // 2**20} MB each)",
                                     file_count="multiple", type="filepath", elem_id="qa-upload", height=200)
                    update_btn = gr.Button("Update index", variant="primary", size="sm",
                                           elem_id="qa-update")
                    status = gr.HTML(UPLOAD_HELP, elem_id="qa-status")

        ask_args = dict(fn=answer, inputs=[pending, chatbot, conv, k, mode, since, until, sources],
                        outputs=[chatbot, conv],
                        concurrency_limit=4, concurrency_id="ask", api_visibility="private")
        show_args = dict(fn=show_question, inputs=[box, chatbot], outputs=[box, chatbot, pending],
                         queue=False, api_visibility="private")
        scroll = dict(fn=None, js=SCROLL_TO_QUESTION, api_visibility="private")
        box.submit(**show_args).then(**scroll).then(**ask_args).then(**scroll)
        examples.click(pick_example, examples, box, queue=False, api_visibility="private") \
            .then(**show_args).then(**scroll).then(**ask_args).then(**scroll)
        chatbot.clear(lambda: None, None, conv, queue=False, api_visibility="private")
        # Clear the status box for the progress bar and bring it into view, then update.
        update_btn.click(lambda: BUSY, None, status, queue=False, api_visibility="private",
                         js="() => { document.querySelector('#qa-status')"
                            ".scrollIntoView({block: 'nearest', behavior: 'smooth'}); }") \
            .then(update_index, [upload, file_query], [status, stats, examples, sources, files, upload],
                  show_progress_on=status,
                  concurrency_limit=1, concurrency_id="build", api_visibility="private")
        demo.load(refresh_panel, None, [stats, examples, sources, files], queue=False, api_visibility="private")
        file_query.change(list_files, file_query, files, queue=False, api_visibility="private",
                          show_progress="hidden")
        gr.api(api_ask, api_name="ask", concurrency_limit=4, concurrency_id="ask")
    return demo


def serve(engine: Engine, host: str, port: int, share: bool | None = None,
          root_path: str | None = None) -> None:
    """Serve the chat until interrupted. `root_path=None` lets gradio read $GRADIO_ROOT_PATH."""
    demo = build_ui(engine)
    demo.queue(default_concurrency_limit=2, max_size=256)
    demo.launch(server_name=host, server_port=port, share=share, root_path=root_path,
                max_file_size=MAX_UPLOAD_BYTES, theme=make_theme(), css=CSS, head=HEAD,
                footer_links=["api"], ssr_mode=False, show_error=True)
