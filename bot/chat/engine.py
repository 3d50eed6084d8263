"""The chat's engine: the one index and model every browser session shares, and one chat turn."""

from __future__ import annotations

import html
import sys
import threading
from pathlib import Path

from .examples import example_questions
from .render import render_answer, render_notice

MODES = {"hybrid": "Hybrid", "dense": "Meaning", "lexical": "Keywords"}
DEFAULT_K = 3                          # passages per answer in the chat (the API's default is 5)

class Engine:
    """The one index and model every session shares.

    `retriever` is swapped in one assignment after a rebuild, so a question
    always meets a complete index; rebuilds take `build_lock` and the old
    retriever keeps answering while they run. A build by anyone else (`qabot
    build`, a cron job, the Python API) is noticed at the next question or
    panel refresh (`serving()`: a stat of CURRENT) and served from then on."""

    def __init__(self, data_dir: Path, index_dir: Path):
        self.data_dir = Path(data_dir).resolve()
        self.index_dir = Path(index_dir).resolve()
        self.retriever = None
        self.error = ""
        self.examples: list[str] = []
        self._examples_of = None          # the manifest the examples were drawn for
        self.build_lock = threading.Lock()

    def serving(self):
        """The retriever on the live generation (None before there is an index), with the
        examples drawn from it."""
        r = self.retriever.refreshed() if self.retriever is not None else None
        if r is not None and r.manifest is not self._examples_of:
            self._draw_examples(r)
        return r

    def _draw_examples(self, r) -> None:
        """Examples drawn across the index `r`; another build draws again."""
        self.examples = example_questions(r.passages, seed=str(r.manifest.get("built_at", "")))
        self._examples_of = r.manifest

    def build(self, progress: bool = False):
        """Refresh the index from data/ (incremental), then serve the new one. Raises on failure,
        leaving the current index serving."""
        from .. import build_index

        with self.build_lock:
            report = build_index([self.data_dir], index_dir=self.index_dir, progress=progress)
            if self.retriever is None:
                self.load()
            self.serving()   # the new generation, or another process's: opened once, model kept
            return report

    def load(self) -> None:
        from .. import Retriever
        from ..store import IndexError_

        try:
            new = Retriever.load(self.index_dir)
        except IndexError_ as e:
            if self.retriever is None:
                self.error = str(e)
            raise
        new.encoder        # the model, loaded once per process: now, not on the first question
        self._draw_examples(new)
        self.retriever, self.error = new, ""
        # The rest a first question would wait for (seconds) loads beside the page: a question
        # asked meanwhile waits only for what is still loading.
        threading.Thread(target=_warm, args=(new,), name="qabot-warm", daemon=True).start()

    def prepare(self) -> None:
        """Build or refresh the index (console progress), then load it and the model once."""
        from ..build import interrupted
        from ..store import BuildLocked, IndexError_

        say = lambda text: print(f"qabot: {text}", flush=True)   # noqa: E731
        say(f"indexing {self.data_dir} -> {self.index_dir} (only changes are re-read) …")
        not_built = ""
        try:
            say(self.build(progress=True).summary())
        except KeyboardInterrupt:   # Ctrl-C: one line, and the caller ends without a traceback
            print(file=sys.stderr, flush=True)      # below the progress bar it stopped
            say(interrupted(self.index_dir))
            raise
        except BuildLocked:
            say("another build of this index is running; serving the current index")
        except (ValueError, OSError) as e:
            not_built = f"the index was not built: {e}"
            say(not_built)
        except IndexError_ as e:
            say(str(e))
        if self.retriever is None:
            try:
                say("loading the index and the model …")
                self.load()
            except IndexError_ as e:
                say(f"no index to serve yet ({e}); add articles in the web page")
                self.error = not_built or self.error    # the page says why there is none (which files, why)
        if self.retriever is not None:
            counts = self.retriever.info()["counts"]
            say(f"serving {counts['documents']} articles, {counts['passages']} passages "
                f"with model {self.retriever.model}")

    def info(self) -> dict | None:
        r = self.serving()
        return r.info() if r is not None else None


def _warm(retriever) -> None:
    try:
        retriever.warm()
    except Exception as e:   # only a head start: the operator hears of it, the question that meets it reports it
        print(f"qabot: warming up the index and model failed: {e!r}", flush=True)


def answer_html(engine: Engine, memory, question: str, k: int, mode: str, scope: dict | None = None):
    """(reply HTML, new memory) for one chat turn.

    `scope` (since, until, sources) limits the articles searched, as `Retriever.search` takes it.

    A session remembers only its last question and hits (`memory`), not a
    Conversation: each turn talks to the index being served now, and a session
    left open never keeps an old index alive after a rebuild."""
    from .. import QuestionError
    from ..conversation import Conversation
    from ..scope import EmptyScope, ScopeError
    from ..store import IndexError_

    retriever = engine.serving()
    if retriever is None:
        return render_notice("There is no index yet. Add articles in the Index panel and press "
                             "Update index." + (f" ({engine.error})" if engine.error else ""), "warn"), memory
    conv = Conversation(retriever)
    if memory:
        conv.topic, conv.last_hits = memory
    try:
        turn = conv.ask(question, k=k, mode=mode if mode in MODES else "hybrid", **(scope or {}))
    except EmptyScope as e:
        return render_notice(f"Nothing to search in the scope you set: {e}. Widen or clear the "
                             f"scope in the side panel.", "warn"), memory
    except ScopeError as e:
        return render_notice(f"The scope cannot be used: {e}.", "warn"), memory
    except QuestionError as e:
        return render_notice(f"I can't search for that: {e}.", "warn"), memory
    except IndexError_ as e:
        return render_notice(f"The index cannot be searched: {e}", "error"), memory
    reply = render_answer(turn.hits, turn.follows)
    said = scope_words(scope)
    if said:   # the reader should see that the answer comes from part of the articles only
        head = '<div class="qa-reply">'
        reply = reply.replace(head, f'{head}<p class="qa-note">Searched only articles '
                                    f'{html.escape(said)}.</p>', 1)
    return reply, (conv.topic, list(conv.last_hits))


def scope_words(scope: dict | None) -> str:
    """The scope as words ("since 2023-01 · from *.pdf"); "" when nothing is scoped."""
    scope = scope or {}
    sources = [s for s in (scope.get("sources") or []) if str(s).strip()]
    parts = [f"{w} {str(scope.get(w)).strip()}" for w in ("since", "until") if str(scope.get(w) or "").strip()]
    if sources:
        parts.append("from " + ", ".join(sources))
    return " · ".join(parts)
