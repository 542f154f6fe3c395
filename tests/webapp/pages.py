"""Every page of the site as each kind of reader reaches it, for the tests that render them all
(Thai without English left, security headers). ``org`` is the ``thai_organisation`` fixture."""

from __future__ import annotations


def visitor_paths(org: dict) -> list[str]:
    return ["/", "/auth/login", "/auth/register", "/auth/set-password/not-a-token", "/no-such-page", "/privacy",
            "/invitation", f"/invitations/{org['token']}", "/invitations/not-a-token", "/auth/check-inbox",
            "/auth/check-inbox?sent=reset", "/auth/forgot-password", f"/check-ins/{org['check_in']}/going_well",
            "/check-ins/not-a-token/need_help"]


def member_paths(org: dict) -> list[str]:
    return ["/", "/profile", f"/members/{org['mentor'].id}", "/communities", f"/communities/{org['community']}",
            "/matches", f"/rounds/{org['closed']}/feedback", f"/rounds/{org['published']}/feedback",
            "/hr/members", "/privacy", "/privacy/consent", "/auth/password", f"/relationships/{org['live']}",
            f"/relationships/{org['ended']}", f"/groups/{org['group']}"]


def hr_paths(org: dict) -> list[str]:
    return ["/hr/skills", f"/hr/skills/{org['skill']}", "/hr/communities", f"/hr/communities/{org['community']}",
            "/hr/members", "/hr/members?status=all", "/hr/members/import", "/hr/rounds", "/hr/rounds/new",
            "/hr/rounds/new?kind=peer", "/hr/rounds/new?kind=groups", f"/hr/rounds/{org['published']}",
            f"/hr/rounds/{org['closed']}", f"/hr/rounds/{org['published']}?tab=unmatched",
            f"/hr/rounds/{org['published']}?tab=pins", f"/hr/rounds/{org['groups']}", "/hr/audit",
            "/hr/audit?action=login_failed", f"/hr/audit?member={org['learner'].id}",
            f"/hr/members/{org['learner'].id}/erase", "/hr/programme/attention", "/hr/programme/mentors",
            f"/relationships/{org['live']}", f"/groups/{org['group']}"]
