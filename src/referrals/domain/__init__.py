"""Pure rules of the referral workspace: no I/O, no framework, time passed in as `now`."""
