"""Preferences for the next round: honoured when the bonus outweighs what they cost, with their reason."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Match, Member, Round, RoundPreference, db
from tests.conftest import client_for
from tests.webapp.test_mentors import people  # noqa: F401  (the fixture: a learner and two mentors)
from webapp.services import preferences
from webapp.services.reasons import reason_lines
from webapp.services.rounds.lifecycle import create_round
from webapp.services.rounds.notes import note_lines
from webapp.services.rounds.solving import solve_round



def _solve(app, community_id, bonus):
    with app.app_context():
        round_ = create_round("mentoring", community_id, None, {"preference_bonus": bonus})
        solve_round(round_.id)
        db.session.commit()
        return round_.id


def _mentor_of(app, round_id, learner_id):
    with app.app_context():
        return db.session.scalar(sa.select(Match.second_id).where(Match.round_id == round_id,
                                                                  Match.first_id == learner_id))


def test_a_preference_is_honoured_when_it_costs_little_and_its_reason_shown(app, people):  # noqa: F811
    learner, strong, fair = people["learner"], people["strong"], people["fair"]
    assert _mentor_of(app, _solve(app, people["community"], 0.0), learner.id) == strong.id  # the scorer's choice
    client = client_for(app, learner)
    assert client.post(f"/preferences/mentoring/{fair.id}").status_code == 302
    # with no bonus the preference costs too much: the scorer's choice stands, and the review says why
    unmoved = _solve(app, people["community"], 0.0)
    assert _mentor_of(app, unmoved, learner.id) == strong.id
    with app.app_context():
        lines = " ".join(note_lines(db.session.get(Round, unmoved)))
        assert "0 of 1 honoured" in lines and "outweighed the bonus: 1" in lines
    honoured = _solve(app, people["community"], 10.0)
    assert _mentor_of(app, honoured, learner.id) == fair.id
    with app.app_context():
        match = db.session.scalar(sa.select(Match).where(Match.round_id == honoured, Match.first_id == learner.id))
        assert any("You asked for" in str(line) and "Ann Lee" in str(line) for line in reason_lines(match, learner.id))
        assert any("asked to be matched with you" in str(line) for line in reason_lines(match, fair.id))
        assert "1 of 1 honoured" in " ".join(note_lines(match.round))


def test_at_most_three_preferences_and_only_in_my_communities(app, people, make_member):  # noqa: F811
    learner = people["learner"]
    client = client_for(app, learner)
    assert client.post(f"/preferences/mentoring/{people['outsider'].id}").status_code == 404
    for who in ("strong", "fair", "paused", "other"):
        client.post(f"/preferences/mentoring/{people[who].id}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundPreference)) == 3
        with pytest.raises(preferences.PreferenceError):
            preferences.prefer(db.session.get(Member, learner.id), db.session.get(Member, people["other"].id),
                               "mentoring")
    client.post(f"/preferences/mentoring/{people['strong'].id}/remove")
    with app.app_context():
        assert people["strong"].id not in {p.preferred_id for p in preferences.preferences_of(learner.id, "mentoring")}


def test_a_colleagues_profile_offers_to_prefer_them_as_mentor_or_peer_partner(app, people):  # noqa: F811
    learner, other = people["learner"], people["other"]
    client = client_for(app, learner)
    page = client.get(f"/members/{other.id}").get_data(as_text=True)
    assert "Prefer as my mentor" in page and "Prefer as my peer partner" in page
    assert client.post(f"/preferences/peer/{other.id}").status_code == 302
    with app.app_context():
        assert [p.preferred_id for p in preferences.preferences_of(learner.id, "peer")] == [other.id]
    page = client.get(f"/members/{other.id}").get_data(as_text=True)
    assert "Preferred as your peer partner" in page and "Prefer as my peer partner" not in page
    # nobody outside my communities, and not myself
    assert "Prefer as my" not in client.get(f"/members/{people['outsider'].id}").get_data(as_text=True)
    assert "Prefer as my" not in client.get(f"/members/{learner.id}").get_data(as_text=True)
