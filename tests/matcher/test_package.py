"""The matcher is a pure library: its solvers are exported and it never imports the web."""

import subprocess
import sys

import matcher


def test_solvers_are_exported_at_the_top_level():
    assert callable(matcher.assign_mentors)
    assert callable(matcher.pair_peers)
    assert callable(matcher.form_groups)
    assert issubclass(matcher.InfeasibleError, ValueError)


def test_matcher_never_imports_flask_or_the_database():
    code = (
        "import sys, matcher, matcher.score.mentoring, matcher.score.peers, matcher.score.groups; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'models', 'webapp')]; "
        "print(bad)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
