"""`python -m referrals.cli`, the same as the `referrals` script."""

from referrals.cli.app import app

app(prog_name="referrals")
