"""Services: plain functions between the views and the models or matcher.

They change the session but never commit; the caller (a view, a CLI command
or a job) commits, so one request is one transaction.
"""
