"""Notifications through apprise: the person hears about approvals, failures and full disks without logging in."""
