"""CoPMatch's SQLAlchemy models and the ``db`` object.

No views and no matching logic live here: only the data and the rules the
database itself enforces.
"""

from models.audit import AuditEntry, LoginFailure
from models.base import db
from models.community import Community, CommunityMembership, community_skills
from models.feedback import Feedback
from models.job import Job, JobStatus, OutboxMessage, OutboxStatus
from models.knowledge import Answer, CommunityCoordinator, ContentReport, NoteTrial, PracticeNote, Question, QuestionRoute, note_skills, question_skills
from models.mentoring_requests import MentorRequest, RoundPreference
from models.member import AccountToken, Member, Signup
from models.privacy import ConsentRecord
from models.relationship import Agreement, AgreementGoal, AttentionFlag, CheckIn, Meeting, meeting_skills
from models.round import Forbid, GroupMember, Match, Pin, Round, WorkingGroup
from models.skill import LearningGoal, MemberSkill, Skill

__all__ = [
    "db",
    "AccountToken",
    "AuditEntry",
    "ConsentRecord",
    "LoginFailure",
    "Community",
    "CommunityMembership",
    "community_skills",
    "LearningGoal",
    "Member",
    "Signup",
    "MemberSkill",
    "Skill",
    "Round",
    "Match",
    "WorkingGroup",
    "GroupMember",
    "Pin",
    "Forbid",
    "Feedback",
    "Job",
    "JobStatus",
    "OutboxMessage",
    "OutboxStatus",
    "MentorRequest",
    "RoundPreference",
    "Question",
    "QuestionRoute",
    "Answer",
    "PracticeNote",
    "NoteTrial",
    "CommunityCoordinator",
    "ContentReport",
    "question_skills",
    "note_skills",
    "Agreement",
    "AgreementGoal",
    "Meeting",
    "meeting_skills",
    "CheckIn",
    "AttentionFlag",
]
