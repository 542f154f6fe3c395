"""gunicorn settings for CoPMatch: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be changed from the environment (names below). Solves and
messages never run in a web request (``webapp.jobs``), so the timeout only
guards against a stuck page.
"""

import multiprocessing
import os

# One native thread per process for numpy's BLAS and OpenMP: set before the app (and numpy) is
# imported. A thread pool created in one process and inherited by a fork is a known source of
# crashes and hangs, and web workers gain nothing from several BLAS threads each.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("PYTHONFAULTHANDLER", "1")  # a crash, if any, prints every thread's stack

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# Requests wait on the database more than on the CPU: two processes per core, a few threads each.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then (jitter, so they do not all restart at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Each worker imports the app itself: nothing (engine, connection pool, BLAS threads) is shared
# across the fork. If you turn preloading on, post_fork below still drops inherited connections.
preload_app = os.environ.get("GUNICORN_PRELOAD", "").lower() in ("1", "true", "yes")
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # the heartbeat file: a slow disk must not look like a hung worker
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """A preloaded app's database connections belong to the master: the worker opens its own."""
    from webapp.extensions import forget_connections_after_fork

    forget_connections_after_fork()
