"""Judges a lead's contact details and quality when it arrives."""

from sqlalchemy import Connection

from referrals.domain.checks import is_email_syntax
from referrals.domain.enums import EmailValidity, PhoneValidity, QualityLabel
from referrals.domain.lead import Customer, Origin, Quality, Screening


def screen(conn: Connection, *, origin: Origin, customer: Customer, message: str) -> Screening:
    email = customer.email or ""
    if not email:
        email_validity = EmailValidity.UNKNOWN
    else:
        email_validity = EmailValidity.VALID if is_email_syntax(email) else EmailValidity.INVALID
    phone_validity = PhoneValidity.UNKNOWN
    probability = 0.5 if email_validity is EmailValidity.VALID else 0.2
    label = QualityLabel.HIGH if probability >= 0.5 else QualityLabel.LOW
    return Screening(email_validity, phone_validity, (), Quality(label, probability, ()))
