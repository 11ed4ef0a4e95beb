"""The operator's command line, `referrals` (the script entry `referrals.cli:app`)."""

from referrals.cli.app import app

__all__ = ["app"]
