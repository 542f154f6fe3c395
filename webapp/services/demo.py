"""A believable demo organisation: departments, reporting lines, skills and communities.

The data are random but shaped like a real Thai company: most people in
Bangkok with Thai and English, a plant in Rayong, offices abroad; seniors know
more; learning goals ask partly for what experts can teach, so every kind of
matching round has something meaningful to do straight away.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from models import (
    Community,
    CommunityMembership,
    LearningGoal,
    Member,
    MemberSkill,
    Skill,
    db,
)
from models.base import utcnow
from models.member import SENIORITY_BANDS

DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Engineering": ("Software", "Data", "Infrastructure"),
    "Finance": ("Accounting", "FP&A", "Treasury"),
    "Sales": ("Key accounts", "Inside sales"),
    "Operations": ("Plant operations", "Supply chain", "Quality"),
    "HR": ("Talent", "Learning & development"),
    "Marketing": ("Brand", "Digital"),
    "Customer Support": ("Service desk", "Customer success"),
}

#: Community name -> (topic description, category, core skills, departments drawn to it).
COMMUNITIES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "Data & Analytics": (
        "Turning data into decisions: analysis, dashboards and models that people trust.",
        "Data",
        ("Python", "SQL", "Data visualisation", "Statistics", "Machine learning"),
        ("Engineering", "Finance", "Marketing", "Operations"),
    ),
    "Lean Practice": (
        "Continuous improvement on the shop floor and in the office: less waste, more flow.",
        "Operations",
        ("Lean", "Process mapping", "Root cause analysis", "Six Sigma", "Kaizen facilitation"),
        ("Operations", "Finance", "Customer Support", "Engineering"),
    ),
    "Customer Experience": (
        "Seeing our services through customers' eyes and fixing what gets in their way.",
        "Customer",
        ("Customer journey mapping", "Service design", "Complaint handling", "NPS analysis"),
        ("Customer Support", "Sales", "Marketing"),
    ),
    "Agile Ways of Working": (
        "Small teams, short cycles, honest retrospectives — in IT and beyond.",
        "Ways of working",
        ("Scrum", "Kanban", "Facilitation", "Product ownership"),
        ("Engineering", "Marketing", "HR", "Operations"),
    ),
    "Digital Marketing": (
        "Reaching customers online: content, search, social and campaign measurement.",
        "Marketing",
        ("SEO", "Content strategy", "Social media analytics", "Campaign management"),
        ("Marketing", "Sales"),
    ),
    "Leadership & Coaching": (
        "Growing people: coaching conversations, feedback and leading change.",
        "People",
        ("Coaching", "Giving feedback", "การนำเสนอ", "การเจรจาต่อรอง"),
        ("HR", "Sales", "Operations", "Finance", "Engineering", "Customer Support", "Marketing"),
    ),
    "ความยั่งยืน (Sustainability)": (
        "ชุมชนนักปฏิบัติด้านความยั่งยืน: ESG reporting, energy efficiency and the circular economy.",
        "Sustainability",
        ("ESG reporting", "Energy efficiency", "Circular economy"),
        ("Operations", "Finance", "Engineering"),
    ),
}

THAI_FIRST = (
    ("สมชาย", "somchai"), ("สมศรี", "somsri"), ("มาลี", "malee"), ("วิชัย", "wichai"),
    ("ปัทมา", "pattama"), ("ธนพล", "thanapol"), ("กิตติ", "kitti"), ("อรุณี", "arunee"),
    ("ศิริพร", "siriporn"), ("ประเสริฐ", "prasert"), ("นภา", "napa"), ("ชัยวัฒน์", "chaiwat"),
    ("สุภาพร", "supaporn"), ("ณัฐวุฒิ", "nattawut"), ("พิมพ์ชนก", "pimchanok"), ("อนุชา", "anucha"),
    ("วรรณา", "wanna"), ("ธีรพงษ์", "teerapong"), ("จิราพร", "jiraporn"), ("เกียรติศักดิ์", "kiattisak"),
    ("ปิยะ", "piya"), ("รัชนี", "ratchanee"), ("อภิชาติ", "apichart"), ("กนกวรรณ", "kanokwan"),
)
THAI_LAST = (
    ("ใจดี", "jaidee"), ("ศรีสุข", "srisuk"), ("วงศ์ไทย", "wongthai"), ("แสงทอง", "saengthong"),
    ("บุญมา", "boonma"), ("รัตนพันธ์", "rattanapan"), ("สุวรรณ", "suwan"), ("ทองคำ", "thongkham"),
    ("พรหมมา", "phromma"), ("ชัยมงคล", "chaimongkol"), ("เพชรรัตน์", "petcharat"), ("อินทรประเสริฐ", "intaraprasert"),
)
ENGLISH_NAMES = (
    "Emma Clarke", "Liam Turner", "Yuki Tanaka", "Wei Chen", "Priya Nair", "Daniel Müller",
    "Sofia Rossi", "Hiroshi Sato", "Grace Lim", "Arjun Mehta", "Olivia Brown", "Kenji Watanabe",
    "Mei Ling Tan", "Lucas Martin", "Aisha Rahman", "Noah Wilson", "Hannah Park", "Ravi Kumar",
)

#: (location, time zone, probability)
SITES = (
    ("Bangkok HQ", "Asia/Bangkok", 0.62),
    ("Rayong plant", "Asia/Bangkok", 0.14),
    ("Chiang Mai", "Asia/Bangkok", 0.08),
    ("Singapore", "Asia/Singapore", 0.07),
    ("Tokyo", "Asia/Tokyo", 0.04),
    ("London", "Europe/London", 0.05),
)

JOB_TITLES = {
    "Junior": "Associate",
    "Mid-level": "Specialist",
    "Senior": "Senior specialist",
    "Lead": "Team lead",
    "Executive": "Head of department",
}

DEMO_DOMAIN = "demo.copmatch.example"


@dataclass(frozen=True)
class DemoLogins:
    """What the demo-data command prints, so people can log in."""

    hr_email: str
    hr_password: str
    member_password: str
    members: int
    communities: int
    skills: int

    def describe(self) -> str:
        """The text for HR, in the default language (the command runs outside a request)."""
        logins = [
            (_("HR login:"), f"{self.hr_email} / {self.hr_password}"),
            (_("Member logins:"), _("any demo member's email (see HR > Members) / %(password)s",
                                    password=self.member_password)),
        ]
        width = max(len(label) for label, _value in logins) + 1
        return "\n".join(
            [_("Demo organisation loaded: %(members)d members, %(communities)d communities, %(skills)d skills.",
               members=self.members, communities=self.communities, skills=self.skills)]
            + [f"{label:<{width}}{value}" for label, value in logins]
        )


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def load_demo_data(members: int = 300, seed: int = 1) -> DemoLogins:
    """Fill an empty database with a demo organisation; the caller commits."""
    if members < 20:
        raise ValueError(_("expected at least %(min)d demo members, got %(count)d", min=20, count=members))
    rng = random.Random(seed)
    skills = _create_skills()
    communities = _create_communities(skills)
    member_password = secrets.token_urlsafe(9)
    people = _create_members(rng, members, generate_password_hash(member_password))
    _give_skills_and_goals(rng, people, communities, skills)
    hr_password = secrets.token_urlsafe(12)
    hr = Member(
        email=f"hr@{DEMO_DOMAIN}", display_name="ปราณี HR (Pranee)", role="hr",
        department="HR", function="Learning & development", job_title="CoP programme lead",
        seniority="Lead", location="Bangkok HQ", timezone="Asia/Bangkok", languages=["Thai", "English"],
        email_verified_at=utcnow(),
    )
    hr.set_password(hr_password)
    db.session.add(hr)
    db.session.flush()
    return DemoLogins(hr.email, hr_password, member_password, len(people), len(communities), len(skills))


def _create_skills() -> dict[str, Skill]:
    skills = {}
    for _name, (_topic, category, core, _departments) in COMMUNITIES.items():
        for skill_name in core:
            skills[skill_name] = Skill(name=skill_name, category=category, approved=True)
    db.session.add_all(skills.values())
    return skills


def _create_communities(skills: dict[str, Skill]) -> dict[str, Community]:
    communities = {}
    for name, (topic, _category, core, _departments) in COMMUNITIES.items():
        community = Community(name=name, description=topic)
        community.core_skills = [skills[s] for s in core]
        communities[name] = community
    db.session.add_all(communities.values())
    return communities


def _create_members(rng: random.Random, count: int, password_hash: str) -> list[Member]:
    """People with a reporting line per department: a head, leads, then staff."""
    departments = list(DEPARTMENTS)
    used_emails: set[str] = set()
    people: list[Member] = []
    heads: dict[str, Member] = {}
    leads: dict[str, list[Member]] = {d: [] for d in departments}
    for index in range(count):
        department = departments[index % len(departments)]
        if department not in heads:
            band, manager = "Executive", None
        elif len(leads[department]) < 2 + count // 60:
            band, manager = "Lead", heads[department]
        else:
            band = rng.choices(SENIORITY_BANDS[:3], weights=(4, 4, 3))[0]
            manager = rng.choice(leads[department])
        member = _new_member(rng, department, band, manager, used_emails, password_hash)
        people.append(member)
        if band == "Executive":
            heads[department] = member
        elif band == "Lead":
            leads[department].append(member)
    db.session.add_all(people)
    db.session.flush()
    return people


def _new_member(rng, department, band, manager, used_emails, password_hash) -> Member:
    name, email_name, languages = _person(rng)
    email = f"{email_name}@{DEMO_DOMAIN}"
    suffix = 2
    while email in used_emails:
        email = f"{email_name}{suffix}@{DEMO_DOMAIN}"
        suffix += 1
    used_emails.add(email)
    location, zone = _site(rng)
    band_index = SENIORITY_BANDS.index(band)
    years = max(0, int(rng.gauss(2 + 5 * band_index, 2)))
    return Member(
        # The demo's addresses are made up; they count as confirmed so the demo logins work offline.
        email=email, display_name=name, password_hash=password_hash, role="member", email_verified_at=utcnow(),
        department=department, function=rng.choice(DEPARTMENTS[department]),
        job_title=JOB_TITLES[band], seniority=band, location=location, timezone=zone,
        languages=languages, years_experience=years, manager=manager,
        open_to_peer_swaps=rng.random() < 0.55, open_to_groups=rng.random() < 0.6,
    )


def _person(rng: random.Random) -> tuple[str, str, list[str]]:
    if rng.random() < 0.8:
        (first, first_latin), (last, last_latin) = rng.choice(THAI_FIRST), rng.choice(THAI_LAST)
        languages = ["Thai", "English"] if rng.random() < 0.85 else ["Thai"]
        if rng.random() < 0.08:
            languages.append(rng.choice(["Japanese", "Chinese"]))
        return f"{first} {last}", f"{first_latin}.{last_latin}", languages
    name = rng.choice(ENGLISH_NAMES)
    languages = ["English"] + (["Japanese"] if "Sato" in name or "Tanaka" in name or "Watanabe" in name else [])
    if rng.random() < 0.3:
        languages.append("Thai")
    latin = name.lower().replace("ü", "ue").replace(" ", ".")
    return name, latin, languages


def _site(rng: random.Random) -> tuple[str, str]:
    location, zone, _p = rng.choices(SITES, weights=[p for *_rest, p in SITES])[0]
    return location, zone


def _give_skills_and_goals(rng, people, communities, skills) -> None:
    """Levels grow with seniority; goals target skills in the member's communities."""
    for member in people:
        band_index = SENIORITY_BANDS.index(member.seniority)
        joined = _communities_for(rng, member.department, communities)
        for community in joined:
            member.memberships.append(CommunityMembership(community=community))
        known: dict[Skill, int] = {}
        for community in joined:
            for skill in community.core_skills:
                if rng.random() < 0.55:
                    level = round(rng.gauss(1.6 + 0.75 * band_index, 1.0))
                    known[skill] = min(5, max(1, level))
        for skill, level in known.items():
            member.skills.append(MemberSkill(skill=skill, level=level))
        candidates = [s for c in joined for s in c.core_skills if known.get(s, 0) <= 3]
        rng.shuffle(candidates)
        goal_skills = list(dict.fromkeys(candidates))[: rng.randint(0, 3)]
        for priority, skill in enumerate(goal_skills, start=1):
            current = known.get(skill, 0)
            target = min(5, current + rng.randint(1, 2))
            member.goals.append(LearningGoal(skill=skill, target_level=target, priority=priority))
        best = max(known.values(), default=0)
        if best >= 4 and band_index >= 2 and rng.random() < 0.7:
            member.mentor_capacity = rng.randint(1, 3)
        member.wants_mentor = bool(goal_skills) and band_index <= 2 and rng.random() < 0.6


def _communities_for(rng, department, communities) -> list[Community]:
    drawn = [c for name, c in communities.items() if department in COMMUNITIES[name][3]]
    others = [c for c in communities.values() if c not in drawn]
    chosen = rng.sample(drawn, k=min(len(drawn), rng.randint(1, 2)))
    if others and rng.random() < 0.25:
        chosen.append(rng.choice(others))
    return chosen
