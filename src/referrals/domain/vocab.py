"""Controlled vocabularies of the customer record: company size bands and industries."""

from enum import StrEnum


class CompanySize(StrEnum):
    MICRO = "1-9"
    SMALL = "10-49"
    MEDIUM = "50-249"
    LARGE = "250-999"
    ENTERPRISE = "1000-4999"
    GLOBAL = "5000+"


class Industry(StrEnum):
    AGRICULTURE = "agriculture"
    EDUCATION = "education"
    ENERGY = "energy"
    FINANCIAL_SERVICES = "financial_services"
    GOVERNMENT = "government"
    HEALTHCARE = "healthcare"
    HOSPITALITY = "hospitality"
    MANUFACTURING = "manufacturing"
    MEDIA = "media"
    NONPROFIT = "nonprofit"
    PROFESSIONAL_SERVICES = "professional_services"
    REAL_ESTATE = "real_estate"
    RETAIL = "retail"
    TECHNOLOGY = "technology"
    TELECOMMUNICATIONS = "telecommunications"
    TRANSPORTATION = "transportation"
