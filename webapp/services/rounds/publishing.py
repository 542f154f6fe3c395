"""Publishing a round as a background job, so no web request writes a whole round's invitations.

The job moves the round to published, writes every invitation and puts it in the outbox in one
transaction (``lifecycle.publish_round``), records what it did on the job, and hands the messages
to the outbox's delivery after the commit. A cancelled job stores nothing: the round stays solved.
"""

from __future__ import annotations

from models import Job, Member, db
from webapp import jobs
from webapp.services import audit
from webapp.services.messages import deliver_after_commit
from webapp.services.rounds.guards import RoundError, get_round
from webapp.services.rounds.lifecycle import check_can_publish, publish_round

#: The job kind (``Job.kind``).
PUBLISH = "publish_round"


def start_publish(round_id: int, requested_by_id: int | None = None) -> tuple[Job, bool]:
    """Queue the round's publication, or find the one under way: ``(job, started)``.

    ``RoundError`` at once when the round cannot be published, so HR hears it on the spot. A
    round already published still queues a job, which finds it so and sends nothing again.
    """
    round_ = get_round(round_id)
    if not round_.was_published:
        check_can_publish(round_)
    db.session.rollback()  # nothing to write here: end the read before the job's own transaction
    return jobs.start(PUBLISH, round_id, requested_by_id)


def publish_job(job: Job, progress) -> None:
    """The publish job: invitations and the round's new status in one transaction, then delivery."""
    progress("publishing", 0.0)
    try:
        publication = publish_round(job.target_id)
    except RoundError as error:
        raise jobs.JobFailed("refused", str(error)) from None
    if publication.published:
        actor = db.session.get(Member, job.requested_by_id) if job.requested_by_id else None
        audit.record("publish", actor=actor, round_id=job.target_id, invitations=len(publication.messages))
    jobs.finish_in(job.id, {"published": publication.published, "invitations": len(publication.messages)})
    db.session.commit()
    delivery = deliver_after_commit(publication.messages)
    jobs.record_outcome(job.id, {"published": publication.published, "invitations": len(publication.messages),
                                 "handed_over": delivery.handed_over, "failed": len(delivery.failed),
                                 "total": delivery.total})
