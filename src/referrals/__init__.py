"""Referrals: an open-source partner referral workspace."""

__version__ = "0.1.0"
