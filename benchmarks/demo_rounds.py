"""What the matcher gets for a whole-organisation round of the demo organisation (for the benchmarks).

``matcher_inputs(kind)`` loads the demo organisation (9,000 members, seed 7,
as ``bench_rounds.py`` does) into a temporary SQLite database, starts a
round of ``kind`` over everyone and returns the arguments that the round's
solve passes to the matcher (``pair_peers`` for ``"peer"``, ``plan_groups``
for ``"groups"``), without running it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_TARGETS = {"peer": ("webapp.services.rounds.pairs", "pair_peers"),
            "groups": ("webapp.services.rounds.groups", "plan_groups")}


class _Captured(Exception):
    pass


def matcher_inputs(kind: str, members: int = 9000, seed: int = 7) -> tuple[tuple, dict]:
    """``(args, kwargs)`` of the matcher call of a ``kind`` round over the whole demo organisation."""
    import importlib

    from models import db
    from webapp import create_app
    from webapp.services.demo import load_demo_data
    from webapp.services.rounds import lifecycle, solving

    module_name, function = _TARGETS[kind]
    module = importlib.import_module(module_name)
    captured = {}

    def capture(*args, **kwargs):
        captured["call"] = (args, kwargs)
        raise _Captured

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}",
                          "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.create_all()
            load_demo_data(members=members, seed=seed)
            db.session.commit()
            round_ = lifecycle.create_round(kind, None, None, parameters={})
            db.session.commit()
            solver = getattr(module, function)
            setattr(module, function, capture)
            try:
                solving.solve_round(round_.id)
            except _Captured:
                pass
            finally:
                setattr(module, function, solver)
    return captured["call"]
