"""The `qabot` command: build, ask, info. Each command is one call of the Python API."""

from __future__ import annotations

import json
import sys

import click

from . import answer, documents, paths, store

INDEX_HELP = f"index folder (default: ${paths.INDEX_ENV}, else ./index)"
MILVUS_HELP = ("Milvus to search: a server's http://host:port or a Milvus Lite .db file "
               "(default: $QABOT_MILVUS_URI, else where the index was built)")


def _fail(e: Exception):
    raise click.ClickException(str(e)) from None


INTERRUPTED = 130      # the shell's code for a process ended by Ctrl-C (128 + SIGINT)


@click.group()
@click.version_option(package_name="qabot")
def cli():
    """Ask questions of a folder of articles; answers are the best passages."""


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("--index", "index_dir", default=None, help=INDEX_HELP)
@click.option("--model", default=None, help="embedding model: name, local path or hub id "
              "(default: $QABOT_MODEL, else the index's own, else multilingual-e5-small)")
@click.option("--full", is_flag=True, help="re-read and re-embed everything")
@click.option("--quiet", "-q", is_flag=True, help="no progress bars")
@click.option("--backend", type=click.Choice(["faiss", "milvus"]), default=None,
              help="where vectors and lexical index live (default: the index's own, else faiss)")
@click.option("--milvus-uri", default=None, help="for --backend milvus: a server's http://host:port "
              "or a Milvus Lite .db file (default: <index>/milvus.db)")
def build(sources, index_dir, model, full, quiet, backend, milvus_uri):
    """Build or refresh the index from article files or folders (default: $QABOT_DATA, else ./data)."""
    from .build import build_index, interrupted

    try:
        report = build_index(list(sources) or None, index_dir=index_dir, model=model,
                             full=full, progress=not quiet, backend=backend, milvus_uri=milvus_uri)
    except (store.IndexError_, ValueError, OSError) as e:
        _fail(e)
    except KeyboardInterrupt:       # click would say "Aborted!" and exit 1
        click.echo(f"\nqabot: {interrupted(paths.index_dir(index_dir))}", err=True)   # below the bar
        sys.exit(INTERRUPTED)
    click.echo(report.summary())


@cli.command()
@click.argument("question")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 100),
              help="number of passages")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid",
              show_default=True)
@click.option("--index", "index_dir", default=None, help=INDEX_HELP)
@click.option("--json", "as_json", is_flag=True,
              help='print {"question", "answered", "hits"} as JSON (the shape of the chat\'s /ask)')
@click.option("--since", default=None, metavar="DATE",
              help="only articles dated on or after DATE (2023-05-17, 2023-05 or 2023)")
@click.option("--until", default=None, metavar="DATE", help="only articles dated on or before DATE")
@click.option("--source", "sources", multiple=True, metavar="NAME",
              help="only these files: a name as `qabot info` lists it, a bare file name or a glob "
                   "('*.pdf', 'uploads/*'); repeat for more")
@click.option("--milvus-uri", default=None, help=MILVUS_HELP)
def ask(question, k, mode, index_dir, as_json, since, until, sources, milvus_uri):
    """Ask a question; print the best passages with the answer sentence marked."""
    from .retriever import QuestionError, Retriever, answer_json
    from .scope import ScopeError

    try:
        hits = Retriever.load(index_dir, milvus_uri=milvus_uri).search(
            question, k=k, mode=mode, since=since, until=until, sources=list(sources))
    except (store.IndexError_, QuestionError, ScopeError) as e:
        _fail(e)
    if as_json:
        click.echo(json.dumps(answer_json(question, hits), ensure_ascii=False, indent=1))
        return
    if not any(h.relevant for h in hits):
        click.echo("No passage answers this confidently. The closest ones:\n")
    tty = sys.stdout.isatty()
    for i, h in enumerate(hits, 1):
        s, e = h.answer_span
        mark = (click.style(h.text[s:e], bold=True, underline=True) if tty
                else f">>{h.text[s:e]}<<")
        where = " · ".join(x for x in (h.title, h.section) if x)
        # rounded down: a hit just under the bar must not read as at it (answer.rounded_down)
        click.echo(f"{i}. {where}  [{h.source} ¶{h.position + 1}]  "
                   f"confidence {answer.rounded_down(h.confidence, 2)}")
        click.echo(f"   {h.text[:s]}{mark}{h.text[e:]}")
        if h.matched_terms:
            click.echo(f"   matched: {', '.join(h.matched_terms)}")
        click.echo()


@cli.command()
@click.option("--index", "index_dir", default=None, help=INDEX_HELP)
@click.option("--json", "as_json", is_flag=True, help="print the manifest as JSON")
@click.option("--milvus-uri", default=None, help=MILVUS_HELP)
def info(index_dir, as_json, milvus_uri):
    """Show what the index holds: model, counts, build time, files."""
    from .retriever import Retriever

    try:
        r = Retriever.load(index_dir, milvus_uri=milvus_uri)
    except store.IndexError_ as e:
        _fail(e)
    details = r.info()
    if as_json:
        click.echo(json.dumps(details, ensure_ascii=False, indent=1))
        return
    counts = details["counts"]
    click.echo(f"index:     {details['index_dir']}/ (built {details['built_at']}, "
               f"{details['build_seconds']}s)")
    click.echo(f"model:     {details['model']} ({details['model_fingerprint']}, "
               f"{details['dimension']} dims, {details['dense_index']} search)")
    if details.get("backend") == "milvus":
        click.echo(f"milvus:    {details['milvus']['uri'] or 'milvus.db in the index folder'} "
                   f"({details['milvus']['passages']}, {details['milvus']['sentences']})")
    click.echo(f"contents:  {counts['files']} files, {counts['documents']} documents, "
               f"{counts['passages']} passages, {counts['sentences']} sentences")
    click.echo(f"files:     {len(details['files'])} indexed")
    for name, f in sorted(details["files"].items()):
        click.echo(f"  {name}  ({f['documents']} documents)")
    skipped = [documents.Problem(**p) for p in details["skipped_items"]]
    kinds = ", ".join(f"{n} {kind}" for kind, n in documents.count_kinds(skipped).items())
    click.echo(f"skipped:   {len(skipped)} not indexed ({kinds})" if skipped else "skipped:   none")
    for p in skipped:
        click.echo(f"  {p}")


@cli.command("milvus-serve")
@click.option("--index", "index_dir", default=None, help=INDEX_HELP)
@click.option("--db", default=None, help="the Milvus Lite file (default: <index>/milvus.db)")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=19530, show_default=True, type=int)
def milvus_serve(index_dir, db, host, port):
    """Serve an index's Milvus Lite file, so the chat, the CLI and builds share it.

    Then point them at it: QABOT_MILVUS_URI=http://HOST:PORT (or --milvus-uri)."""
    from . import milvus

    index_dir = paths.index_dir(index_dir)
    click.echo(f"serving Milvus Lite {milvus.resolve_uri(index_dir, db)} on http://{host}:{port} "
               f"(Ctrl-C stops); use QABOT_MILVUS_URI=http://{host}:{port}")
    try:
        milvus.serve(index_dir, host, port, db)
    except store.IndexError_ as e:
        _fail(e)


def main():
    cli(prog_name="qabot")


if __name__ == "__main__":
    main()
