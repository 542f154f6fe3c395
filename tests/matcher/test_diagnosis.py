"""Tests for matcher.diagnosis: one shape of 'why this member was not matched' for both round kinds."""

import pytest

from matcher.diagnosis import KINDS, Diagnosis
from matcher.profiles import Goal, Profile
from matcher.score.mentoring import diagnose_unmatched, score_mentoring
from matcher.score.peers import diagnose_unpaired, score_peers
from matcher.solve.assignment import assign_mentors
from matcher.solve.pairing import pair_peers


def test_mentoring_and_peer_rounds_diagnose_with_the_same_type():
    ann = Profile(1, "Ann", goals=(Goal("SQL", 3),), managers=(2,))
    cho = Profile(2, "Cho", skills={"SQL": 5}, mentor_capacity=1)
    table = score_mentoring([ann], [cho])
    [mentoring] = diagnose_unmatched(table, assign_mentors(table.scores, table.capacity))
    peers = score_peers([ann, cho])
    [peer, _] = diagnose_unpaired(peers, pair_peers(peers.scores))
    assert type(mentoring) is type(peer) is Diagnosis
    assert (mentoring.member, mentoring.kind, mentoring.rule_counts) == (0, "no_eligible_mentor", {"reporting_line": 1})
    assert (peer.member, peer.kind, peer.rule_counts) == (0, "no_eligible_partner", {"reporting_line": 1})
    assert mentoring.params == {"rule_counts": {"reporting_line": 1}, "no_seats": 0}
    assert peer.params == {"rule_counts": {"reporting_line": 1}}


def test_a_kind_the_matcher_never_emits_is_refused():
    with pytest.raises(ValueError, match="expected a diagnosis kind from .*, got 'no_capacity'"):
        Diagnosis(0, "no_capacity", "Every SQL mentor is full")


def test_every_kind_is_explained():
    assert set(KINDS) == {"no_eligible_mentor", "seats_taken", "no_eligible_partner", "partners_taken", "not_worth_it"}
    assert all(KINDS.values())


def test_a_diagnosis_is_frozen():
    diagnosis = Diagnosis(0, "not_worth_it", "", best_partner=1)
    with pytest.raises(AttributeError):
        diagnosis.member = 2
