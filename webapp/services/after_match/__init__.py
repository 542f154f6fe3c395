"""After the match: the relationship a confirmed match or group becomes, one concept per module.

- ``access``: which relationship or group a member (or HR) may open;
- ``agreements``: goals (pre-filled from the match's focus), frequency, how and until when; both confirm;
- ``meetings``: proposing a session (a calendar invitation), logging one, cancelling one;
- ``calendar``: the ``.ics`` invitations (RFC 5545, made with ``icalendar``);
- ``evidence``: what shows a match is alive, and which pairs met;
- ``checkins``: check-in emails with one-click answers (links stored as hashes);
- ``attention``: needs-attention flags, nudges, asking HR for help, ending early;
- ``growth``: re-assessment at the end, the mentor's view, and the profile update;
- ``renewals``: pairs that met and rated well continuing into the next round;
- ``records``: each mentor's record, for HR;
- ``notices``: the messages, each in its member's language, and ``send``;
- ``schedule``: the scheduled tasks (``SCHEDULED``) and ``run_scheduled(now)``.

Like the round services, every function runs outside a request too, changes
the session and never commits; messages are returned for the caller to
``send`` after its commit. Scheduled tasks take ``now`` and are idempotent.
"""
