"""The outside world: payload formats, mail, DNS."""
