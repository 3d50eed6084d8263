"""qabot's web chat: ask the articles in data/ a question, get the best passages back.

    python app.py                                  # refresh index/ from data/, serve http://127.0.0.1:7860
    python app.py --host 0.0.0.0 --port 8080 --data my_articles --index my_index
    GRADIO_SERVER_PORT=7870 python app.py          # gradio's own settings work too; flags win

On start the index is built, or refreshed if data/ changed (incremental: cheap
when nothing did), and the model is loaded once. Every browser session shares
that one index and model; each keeps its own conversation for follow-ups.
The chat itself lives in bot/chat/ (render, uploads, engine, ui); this file
only reads the command line and starts it.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time

from bot import paths

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7860


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="qabot web chat: ask questions of a folder of articles.")
    p.add_argument("--host", default=None,
                   help=f"address to serve on (default: $GRADIO_SERVER_NAME or {DEFAULT_HOST}, this machine only)")
    p.add_argument("--port", type=int, default=None,
                   help=f"port (default: $GRADIO_SERVER_PORT or {DEFAULT_PORT})")
    p.add_argument("--root-path", default=None,
                   help="URL prefix when served behind a proxy (default: $GRADIO_ROOT_PATH)")
    p.add_argument("--data", default=None, help=f"articles folder (default: ${paths.DATA_ENV} or ./data)")
    p.add_argument("--index", default=None, help=f"index folder (default: ${paths.INDEX_ENV} or ./index)")
    p.add_argument("--share", action="store_true", help="also open a public gradio.live link (off by default)")
    return p.parse_args(argv)


def address(args: argparse.Namespace) -> tuple[str, int]:
    """Host and port: a flag wins over gradio's environment variables, which win over the defaults."""
    host = args.host or os.environ.get("GRADIO_SERVER_NAME") or DEFAULT_HOST
    raw = args.port if args.port is not None else os.environ.get("GRADIO_SERVER_PORT") or DEFAULT_PORT
    try:
        port = int(raw)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        sys.exit(f"qabot: port {raw!r} is not a port number (1-65535)")
    return host, port


def check_free(host: str, port: int) -> None:
    """Fail in one line, before the model loads, when the port is taken."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            sys.exit(f"qabot: cannot serve on {host}:{port} ({e.strerror or e}); "
                     f"choose another port with --port or GRADIO_SERVER_PORT")


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    host, port = address(args)
    check_free(host, port)
    from bot.chat.engine import Engine
    from bot.chat.ui import serve

    engine = Engine(paths.data_dir(args.data), paths.index_dir(args.index))
    engine.data_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    try:
        engine.prepare()
    except KeyboardInterrupt:      # Ctrl-C while indexing or loading: prepare said what it left
        sys.exit(130)
    print(f"qabot: ready in {time.perf_counter() - t0:.1f}s", flush=True)
    serve(engine, host, port, share=args.share or None, root_path=args.root_path)


if __name__ == "__main__":
    main(sys.argv[1:])
