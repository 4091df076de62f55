"""Defaults for `gunicorn motcua.wsgi:application` in production (`-c gunicorn.conf.py`),
behind a buffering reverse proxy (nginx) as gunicorn's documentation asks of sync workers;
bench/lifecycle.py measures the server with them.

One single-threaded sync worker per core, plus one to use a core while another waits for
PostgreSQL. A transition is about 3 ms of Python holding the GIL, so threads in one process
mostly wait for each other, and a kept-alive connection ties a client to one worker while
another may be idle. On the 2-core development machine (docs/figures.md, 16 clients):
2 gthread workers × 4 threads gave 356 transitions/s with p99 116 ms; 3 gthread × 1,
436/s with p99 69–113 ms; 3 sync workers, 424/s with p99 54 ms.
Override with MOTCUA_BIND, MOTCUA_WORKERS, MOTCUA_THREADS (more than 1 → gthread).
"""

import multiprocessing
import os

bind = os.environ.get("MOTCUA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("MOTCUA_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("MOTCUA_THREADS", "1"))
worker_class = "sync" if threads == 1 else "gthread"
