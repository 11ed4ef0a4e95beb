"""The schema. Every partner-owned table carries `partner_id` and leads its primary key, so rows of one
partner stay together and a distributed PostgreSQL can shard by it."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy import (
    false as sa_false,
)
from sqlalchemy import (
    true as sa_true,
)

from referrals.store.db import FastJSON, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)
# None is stored as SQL NULL, not the JSON text 'null': most leads have no deal, and a NULL costs no decoding.
NullableJSON = FastJSON(none_as_null=True)
JSON = FastJSON  # every JSON column reads through FastJSON
Stamp = UTCDateTime()

partners = Table(
    "partners",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("notification_email", String(320), nullable=True),
    Column("created_at", Stamp, nullable=False),
)

locations = Table(
    "locations",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("id", ID, primary_key=True),
    Column("country", String(2), nullable=False),
    Column("city", String(200), nullable=False, server_default=""),
    Column("address", String(500), nullable=False, server_default=""),
    Column("contact_name", String(200), nullable=False, server_default=""),
    Column("contact_email", String(320), nullable=False, server_default=""),
    Column("contact_phone", String(50), nullable=False, server_default=""),
    Column("created_at", Stamp, nullable=False),
    ForeignKeyConstraint(["partner_id"], ["partners.id"]),
)

# Inbound keys identify a partner location to the marketplace endpoint; only their hash is stored.
inbound_keys = Table(
    "inbound_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("partner_id", ID, nullable=False),
    Column("location_id", ID, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("revoked_at", Stamp, nullable=True),
    ForeignKeyConstraint(["partner_id", "location_id"], ["locations.partner_id", "locations.id"]),
    Index("ix_inbound_keys_location", "partner_id", "location_id"),
)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False, server_default=""),
    Column("password_hash", String(200), nullable=True),
    Column("partner_id", ID, nullable=True),  # null for program staff
    Column("roles", String(200), nullable=False),  # space-separated Role values
    Column("language", String(8), nullable=True),
    Column("notification_email", String(320), nullable=True),
    Column("created_at", Stamp, nullable=False),
    Column("active", Boolean, nullable=False, server_default=sa_true()),
    Column("last_signin_at", Stamp, nullable=True),
    Column("new_lead_emails", String(8), nullable=False, server_default="each"),  # each | digest | none
    ForeignKeyConstraint(["partner_id"], ["partners.id"]),
    Index("ix_users_partner", "partner_id"),
)

# A token is stored as its SHA-256 hash; its first 16 characters ("rfl_" and 12 more) are kept in clear as
# `prefix`, to recognise it in a list and to revoke it by (tokens made before the prefix existed have none).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("id", ID, nullable=False, unique=True),
    Column("prefix", String(16), nullable=True),
    Column("user_id", ID, nullable=False),
    Column("name", String(100), nullable=False, server_default=""),
    Column("created_at", Stamp, nullable=False),
    Column("expires_at", Stamp, nullable=True),  # null: until revoked
    Column("last_used_at", Stamp, nullable=True),  # written at most once a minute
    Column("revoked_at", Stamp, nullable=True),
    ForeignKeyConstraint(["user_id"], ["users.id"]),
    Index("ix_api_tokens_user", "user_id"),
    Index("ix_api_tokens_prefix", "prefix", unique=True),
)

# Signed-in browsers. The cookie carries a random session key; only its SHA-256 hash is stored, so the table
# cannot be replayed. Ending a session deletes its row; a session also ends after REFERRALS_SESSION_IDLE_HOURS
# without a request (last_seen_at, written at most once a minute) and REFERRALS_SESSION_MAX_DAYS after it began.
sessions = Table(
    "sessions",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("last_seen_at", Stamp, nullable=False),
    ForeignKeyConstraint(["user_id"], ["users.id"]),
    Index("ix_sessions_user", "user_id"),
)

# "Forgot password" links: the token in the link is stored as its SHA-256 hash, good for one use within its hour.
password_resets = Table(
    "password_resets",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("expires_at", Stamp, nullable=False),
    Column("used_at", Stamp, nullable=True),
    ForeignKeyConstraint(["user_id"], ["users.id"]),
    Index("ix_password_resets_user", "user_id", "created_at"),
)

_OWNED_OPEN = "status IN ('received', 'accepted') AND owner_id IS NOT NULL"
_RETAINED = "archived_at IS NOT NULL AND erased_at IS NULL"
_UNREMINDED = "status = 'received' AND response_due_at IS NOT NULL AND reminded_at IS NULL"

leads = Table(
    "leads",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("id", ID, primary_key=True),
    Column("location_id", ID, nullable=False),
    # where from
    Column("qualification", String(16), nullable=False),
    Column("type", String(16), nullable=True),
    Column("source", String(32), nullable=False),
    Column("call_to_action", String(16), nullable=True),
    Column("informational", Boolean, nullable=False),
    Column("offer_id", String(200), nullable=False, server_default=""),
    Column("offer_title", String(300), nullable=False, server_default=""),
    Column("referrer_kind", String(16), nullable=False),
    Column("referrer_id", ID, nullable=True),
    Column("referrer_email", String(320), nullable=False, server_default=""),
    Column("external_id", String(200), nullable=True),
    Column("is_test", Boolean, nullable=False, server_default=sa_false()),
    # who
    Column("customer_company", String(320), nullable=False, server_default=""),
    Column("customer_first_name", String(320), nullable=False, server_default=""),
    Column("customer_last_name", String(320), nullable=False, server_default=""),
    Column("customer_title", String(320), nullable=False, server_default=""),
    Column("customer_email", String(320), nullable=False, server_default=""),
    Column("customer_phone", String(320), nullable=False, server_default=""),
    Column("customer_country", String(2), nullable=True),
    Column("customer_company_size", String(16), nullable=True),
    Column("customer_industry", String(32), nullable=True),
    # folded (lower case, no accents) company and names: substring search and the customer sort
    Column("customer_key", String(1000), nullable=False, server_default=""),
    # folded company, deal name, external id, then the contact's names, email and phone digits: the search (q)
    Column("search_text", Text, nullable=False, server_default=""),
    Column("message", Text, nullable=False, server_default=""),
    Column("customer_requested_contact", Boolean, nullable=False, server_default=sa_false()),
    # how good
    Column("email_validity", String(16), nullable=False),
    Column("phone_validity", String(16), nullable=False),
    Column("spam_reasons", JSON, nullable=False),
    Column("spam", Boolean, nullable=False, server_default=sa_false()),  # any spam reason
    Column("quality_label", String(8), nullable=False),
    Column("quality_probability", Numeric(6, 5), nullable=False),
    Column("quality_factors", JSON, nullable=False),
    # where it is
    Column("status", String(16), nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("created_at", Stamp, nullable=False),
    Column("response_due_at", Stamp, nullable=True),
    Column("archive_due_at", Stamp, nullable=True),
    Column("deadline_at", Stamp, nullable=False),  # response or archive deadline: the "deadline" sort
    Column("accepted_at", Stamp, nullable=True),
    Column("archived_at", Stamp, nullable=True),
    Column("closing_reason", String(32), nullable=True),
    Column("closing_notes", Text, nullable=True),
    # the deal
    Column("deal_name", String(200), nullable=True),
    Column("deal_amount", Numeric(14, 2), nullable=True),
    Column("deal_currency", String(3), nullable=True),
    Column("deal_purchase_date", Date, nullable=True),
    Column("deal_notes", Text, nullable=True),
    Column("deal_campaign_id", String(100), nullable=True),
    Column("deal_crm_id", String(100), nullable=True),
    Column("deal_team", NullableJSON, nullable=True),
    Column("deal_contacts", NullableJSON, nullable=True),
    Column("deal_employees", NullableJSON, nullable=True),
    Column("raw_payload", NullableJSON, nullable=True),
    Column("owner_id", ID, nullable=True),  # an active user of the partner, or nobody
    Column("reminded_at", Stamp, nullable=True),  # when the expiring-soon reminder went out
    Column("updated_at", Stamp, nullable=True),  # the last change (0013; every writer sets it, old rows backfilled)
    Column("erased_at", Stamp, nullable=True),  # its customer's personal data erased (0015, docs/privacy.md)
    Column("version", Integer, nullable=False),
    ForeignKeyConstraint(["partner_id", "location_id"], ["locations.partner_id", "locations.id"]),
    UniqueConstraint("partner_id", "external_id", name="uq_leads_partner_external"),
    # the list: every sort leads with partner_id and ends with id, for keyset pages
    Index("ix_leads_created", "partner_id", "created_at", "id"),
    Index("ix_leads_tab_created", "partner_id", "qualification", "created_at", "id"),
    Index("ix_leads_status_created", "partner_id", "status", "created_at", "id"),
    Index("ix_leads_customer", "partner_id", "customer_key", "id"),
    Index("ix_leads_quality", "partner_id", "quality_probability", "id"),
    Index("ix_leads_deadline", "partner_id", "deadline_at", "id"),
    Index("ix_leads_value", "partner_id", func.coalesce(text("deal_amount"), -1), "id"),
    Index("ix_leads_owner", "partner_id", "owner_id", "created_at", "id"),
    Index("ix_leads_updated", "partner_id", "updated_at", "id"),  # the compatible endpoint's updatedDateTime (0013)
    # the list's capped count: every column a fixed-vocabulary filter tests, so counting reads no rows (0011)
    Index("ix_leads_count", "partner_id", "qualification", "status", "informational", "customer_requested_contact",
          "call_to_action", "type", "source", "customer_country", "quality_label", "email_validity", "phone_validity",
          "spam", "outcome", "owner_id"),
    # a country filter (with or without quality): its leads sought, newest first, for the count and the list (0017)
    Index("ix_leads_country", "partner_id", "customer_country", "quality_label", "qualification", "created_at", "id"),
    # the search: on SQLite a term found nowhere is a walk of this one partner's index entries, never of its rows;
    # PostgreSQL finds rare terms through trigrams and walks ix_leads_created for common ones (docs/performance.md)
    Index("ix_leads_search", "partner_id", "created_at", "id", "search_text").ddl_if(dialect="sqlite"),
    Index("ix_leads_partner_search", "partner_id", "search_text", postgresql_using="gin",
          postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),  # btree_gin + pg_trgm (0016)
    # each owner's open leads, counted by assignment (least loaded, capacity) without reading the table
    Index("ix_leads_owner_open", "partner_id", "owner_id",
          sqlite_where=text(_OWNED_OPEN), postgresql_where=text(_OWNED_OPEN)),
    # the expiring-soon reminder: received leads not reminded yet, by deadline
    Index("ix_leads_remind", "response_due_at",
          sqlite_where=text(_UNREMINDED), postgresql_where=text(_UNREMINDED)),
    # the sweeps: only leads still waiting are indexed
    Index(
        "ix_leads_response_due",
        "response_due_at",
        sqlite_where=text("status = 'received' AND response_due_at IS NOT NULL"),
        postgresql_where=text("status = 'received' AND response_due_at IS NOT NULL"),
    ),
    # the action center and its bell: each partner's leads waiting for an answer (received, with a response
    # deadline: informational leads have none), closest deadline first, counted without reading the table
    Index(
        "ix_leads_waiting",
        "partner_id",
        "response_due_at",
        "id",
        sqlite_where=text("status = 'received' AND response_due_at IS NOT NULL"),
        postgresql_where=text("status = 'received' AND response_due_at IS NOT NULL"),
    ),
    # retention (REFERRALS_RETENTION_MONTHS): archived leads not anonymised yet, oldest archive first (0015)
    Index("ix_leads_retention", "archived_at",
          sqlite_where=text(_RETAINED), postgresql_where=text(_RETAINED)),
    Index(
        "ix_leads_archive_due",
        "archive_due_at",
        sqlite_where=text("status = 'received' AND archive_due_at IS NOT NULL"),
        postgresql_where=text("status = 'received' AND archive_due_at IS NOT NULL"),
    ),
)

# How a location hands out its new actionable leads (services/assignment.py). Each member's `last_sequence`
# numbers their latest assignment (0: never; the next one is one more than the members' highest), so "least
# recently assigned" is an integer comparison that a batch of leads with one `now` cannot tie.
assignment_rules = Table(
    "assignment_rules",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("location_id", ID, primary_key=True),
    Column("mode", String(16), nullable=False),  # manual | round_robin | least_loaded
    Column("max_open_per_member", Integer, nullable=True),
    Column("updated_at", Stamp, nullable=False),
    ForeignKeyConstraint(["partner_id", "location_id"], ["locations.partner_id", "locations.id"]),
)

assignment_members = Table(
    "assignment_members",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("location_id", ID, primary_key=True),
    Column("user_id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("last_sequence", BigInteger, nullable=False, server_default="0"),
    ForeignKeyConstraint(["partner_id", "location_id"],
                         ["assignment_rules.partner_id", "assignment_rules.location_id"]),
    ForeignKeyConstraint(["user_id"], ["users.id"]),
)

# A colleague invited by a partner admin: a one-time link (only its hash stored) where they set a password.
invitations = Table(
    "invitations",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("id", ID, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("email", String(320), nullable=False),
    Column("roles", String(200), nullable=False),
    Column("language", String(8), nullable=True),
    Column("invited_by", ID, nullable=True),
    Column("created_at", Stamp, nullable=False),
    Column("expires_at", Stamp, nullable=False),
    Column("accepted_at", Stamp, nullable=True),
    Column("revoked_at", Stamp, nullable=True),
    ForeignKeyConstraint(["partner_id"], ["partners.id"]),
    Index("ix_invitations_email", "email"),
)

# Bulk actions run as jobs (more than 1,000 leads): the job, and one row per lead in the order acted on.
bulk_jobs = Table(
    "bulk_jobs",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("id", ID, primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("action", String(16), nullable=False),
    Column("params", JSON, nullable=False),
    Column("query", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("processed", Integer, nullable=False, server_default="0"),
    Column("succeeded", Integer, nullable=False, server_default="0"),
    Column("failed", Integer, nullable=False, server_default="0"),
    Column("created_at", Stamp, nullable=False),
    Column("started_at", Stamp, nullable=True),
    Column("finished_at", Stamp, nullable=True),
    Column("lease_until", Stamp, nullable=True),  # a run holds the job until then, renewing it as it goes
    ForeignKeyConstraint(["partner_id"], ["partners.id"]),
)

bulk_results = Table(
    "bulk_results",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("job_id", ID, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("lead_id", ID, nullable=False),
    Column("done", Boolean, nullable=True),  # null: not processed yet
    Column("problem", NullableJSON, nullable=True),
    ForeignKeyConstraint(["partner_id", "job_id"], ["bulk_jobs.partner_id", "bulk_jobs.id"]),
)

# A user's named lead-list query (the JSON list-query shape, with the sort), optionally shared with the partner.
saved_views = Table(
    "saved_views",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("id", ID, primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("name", String(100), nullable=False),
    Column("query", JSON, nullable=False),
    Column("shared", Boolean, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("updated_at", Stamp, nullable=False),
    ForeignKeyConstraint(["partner_id"], ["partners.id"]),
    ForeignKeyConstraint(["user_id"], ["users.id"]),
    Index("ix_saved_views_user", "partner_id", "user_id"),
)

lead_history = Table(
    "lead_history",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("lead_id", ID, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("at", Stamp, nullable=False),
    Column("actor_id", ID, nullable=True),
    Column("actor_label", String(320), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("details", JSON, nullable=False),
    ForeignKeyConstraint(["partner_id", "lead_id"], ["leads.partner_id", "leads.id"]),
)

favorites = Table(
    "favorites",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("user_id", ID, primary_key=True),
    Column("lead_id", ID, primary_key=True),
    Column("created_at", Stamp, nullable=False),
    ForeignKeyConstraint(["partner_id", "lead_id"], ["leads.partner_id", "leads.id"]),
    Index("ix_favorites_lead", "partner_id", "lead_id"),
)

# How many leads each partner holds of each qualification: the tab counts of an unfiltered list, read from
# two or three rows instead of counting a partner's whole slice of an index on every page. Kept in the
# transaction that inserts the leads (store.leads); a lead's qualification never changes and leads are never
# deleted.
lead_tallies = Table(
    "lead_tallies",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("qualification", String(16), primary_key=True),
    Column("leads", Integer, nullable=False),
)

# Program-wide spam block list: domains ("example.com") and whole addresses ("a@example.com").
blocklist = Table(
    "blocklist",
    metadata,
    Column("entry", String(320), primary_key=True),
    Column("reason", String(200), nullable=False, server_default=""),
    Column("created_at", Stamp, nullable=False),
)

# Trained quality models; the newest row is the one in use.
quality_models = Table(
    "quality_models",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trained_at", Stamp, nullable=False),
    Column("examples", Integer, nullable=False),
    Column("params", JSON, nullable=False),
)

# What each retraining found on the newest closed leads it held out, and whether it kept the previous model (the
# program's quality page shows the last one). `referrals quality evaluate --db` stores nothing here.
quality_evaluations = Table(
    "quality_evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("evaluated_at", Stamp, nullable=False),
    Column("trigger", String(16), nullable=False),  # schedule | page
    Column("kept_previous", Boolean, nullable=False),
    Column("report", JSON, nullable=False),
)

# -- notifications ---------------------------------------------------------------------------------

# Every email is a row here, written in the same transaction as the change that causes it. The
# idempotency key (event + recipient) is unique, so an event can never queue the same email twice.
outbox = Table(
    "outbox",
    metadata,
    Column("id", ID, primary_key=True),
    Column("idempotency_key", String(300), nullable=False, unique=True),
    Column("partner_id", ID, nullable=True),
    Column("template", String(64), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("language", String(8), nullable=False),
    Column("context", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", Stamp, nullable=False),
    Column("claimed_until", Stamp, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", Stamp, nullable=False),
    Column("sent_at", Stamp, nullable=True),
    Index(
        "ix_outbox_due",
        "next_attempt_at",
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
    Index("ix_outbox_status_created", "status", "created_at"),
)

# How many new-lead emails a recipient got on one local day: the first `threshold` go out one by one,
# the rest are held for that day's digest.
daily_tally = Table(
    "daily_tally",
    metadata,
    Column("recipient", String(320), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("count", Integer, nullable=False),
)

digest_items = Table(
    "digest_items",
    metadata,
    Column("recipient", String(320), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("lead_id", ID, primary_key=True),
    Column("partner_id", ID, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("context", JSON, nullable=False),
    Column("digested_at", Stamp, nullable=True),
    Index("ix_digest_items_pending", "day", sqlite_where=text("digested_at IS NULL"),
          postgresql_where=text("digested_at IS NULL")),
    Index("ix_digest_items_digested", "digested_at"),  # retention deletes the old ones (0015)
)

# The action center's read marks: an item is a received actionable lead; a user who opened it has read it.
action_reads = Table(
    "action_reads",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("user_id", ID, primary_key=True),
    Column("lead_id", ID, primary_key=True),
    Column("read_at", Stamp, nullable=False),
    ForeignKeyConstraint(["partner_id", "lead_id"], ["leads.partner_id", "leads.id"]),
)

# -- business profiles and the directory -----------------------------------------------------------

profiles = Table(
    "profiles",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("website", String(300), nullable=False, server_default=""),
    Column("keywords", JSON, nullable=False),
    Column("industries", JSON, nullable=False),
    Column("products", JSON, nullable=False),
    Column("company_sizes", JSON, nullable=False),
    Column("countries", JSON, nullable=False),
    Column("published", Boolean, nullable=False, server_default=sa_false()),
    Column("updated_at", Stamp, nullable=False),
    ForeignKeyConstraint(["partner_id"], ["partners.id"]),
)

# The directory's inverted index: each search term of a profile with the weight of the best field it is in.
profile_terms = Table(
    "profile_terms",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("term", String(100), primary_key=True),
    Column("weight", Numeric(4, 2), nullable=False),
    Index("ix_profile_terms_term", "term", "partner_id"),
)

# Filterable facts of a published profile: facet is country | size | industry.
profile_facets = Table(
    "profile_facets",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("facet", String(16), primary_key=True),
    Column("value", String(32), primary_key=True),
    Index("ix_profile_facets_value", "facet", "value", "partner_id"),
)

# Refreshed by a scheduled job from the leads: responsiveness and what each partner likes.
partner_stats = Table(
    "partner_stats",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("leads", Integer, nullable=False),
    Column("answered", Integer, nullable=False),
    Column("expired", Integer, nullable=False),
    Column("median_hours", Numeric(10, 2), nullable=True),
    Column("liked", Integer, nullable=False),
    Column("disliked", Integer, nullable=False),
    Column("computed_at", Stamp, nullable=False),
)

partner_preferences = Table(
    "partner_preferences",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("feature", String(16), primary_key=True),
    Column("value", String(100), primary_key=True),
    Column("liked", Integer, nullable=False),
    Column("disliked", Integer, nullable=False),
)

# -- insights (domain/insights.py says what is counted; docs/architecture.md "Storage" how it is kept) ---------

# Every change to a lead that insights count, as the lead's figures before (sign -1) and after (sign +1), written
# by database triggers on `leads` (migration 0007), so no writer of leads, present or future, can forget it.
# The insights job folds the log into the rollups below and deletes what it folded; a read adds what is still
# here, so insights are exact right after a change.
insight_changes = Table(
    "insight_changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("partner_id", ID, nullable=False),
    Column("sign", Integer, nullable=False),
    Column("lead_id", ID, nullable=False),
    Column("location_id", ID, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("informational", Boolean, nullable=False),
    Column("is_test", Boolean, nullable=False),
    Column("source", String(32), nullable=False),
    Column("call_to_action", String(16), nullable=True),
    Column("customer_country", String(2), nullable=True),
    Column("quality_label", String(8), nullable=False),
    Column("quality_probability", Numeric(6, 5), nullable=False),
    Column("status", String(16), nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("response_due_at", Stamp, nullable=True),
    Column("accepted_at", Stamp, nullable=True),
    Column("archived_at", Stamp, nullable=True),
    Column("deal_amount", Numeric(14, 2), nullable=True),
    Column("deal_currency", String(3), nullable=True),
    Column("owner_id", ID, nullable=True),
    Index("ix_insight_changes_partner", "partner_id", "seq"),
)


_INSIGHT_COUNTS = ("received", "accepted", "declined", "expired", "won", "lost", "open", "waiting", "answered",
                   "on_time")  # domain/insights.py: COUNTS


def _insight_figures() -> list[Column]:
    """A rollup row's values (domain/insights.py: COUNTS, cents of money, a histogram of response hours, of the
    predicted probability or of waiting leads' arrival second, as little-endian (int32 bucket, int32 leads)
    pairs)."""
    counts = [Column(name, Integer, nullable=False, server_default="0") for name in _INSIGHT_COUNTS]
    return [*counts, Column("cents", BigInteger, nullable=False, server_default="0"),
            Column("histogram", LargeBinary, nullable=True)]


# Per partner, per location, per local day and per local month (`grain` d | m): each figure of the leads created
# then, by dimension (all, source, call_to_action, country, quality, informational, won_value, open_value,
# calibration; waiting by day only) and key.
insight_rollup = Table(
    "insight_rollup",
    metadata,
    Column("partner_id", ID, primary_key=True),
    Column("grain", String(1), primary_key=True),
    Column("dim", String(16), primary_key=True),
    Column("start", Date, primary_key=True),
    Column("key", String(32), primary_key=True),
    Column("location_id", ID, primary_key=True),
    *_insight_figures(),
    # the program's partner table: every partner's `all` counts over a period, read from the index alone, and
    # every partner's waiting leads of the last days
    Index("ix_insight_rollup_all", "grain", "start", "partner_id", *_INSIGHT_COUNTS,
          sqlite_where=text("dim = 'all'"), postgresql_where=text("dim = 'all'")),
    Index("ix_insight_rollup_waiting", "start", "partner_id",
          sqlite_where=text("dim = 'waiting'"), postgresql_where=text("dim = 'waiting'")),
    sqlite_with_rowid=False,  # stored in key order: one partner's periods together, and no second copy of the key
)

# The whole program, per UTC day and month.
insight_program_rollup = Table(
    "insight_program_rollup",
    metadata,
    Column("grain", String(1), primary_key=True),
    Column("dim", String(16), primary_key=True),
    Column("start", Date, primary_key=True),
    Column("key", String(32), primary_key=True),
    *_insight_figures(),
    sqlite_with_rowid=False,
)

# Webhooks (migration 0012): a partner's Referrals admins' endpoints (partner_id set), or the program admins'
# (partner_id NULL, optionally limited to `partner_ids`). `kind` is `standard`, or `compat` for the vendor-compatible
# registration, of which a partner has at most one (`compat_partner_id`, unique, NULL for every other webhook).
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", ID, primary_key=True),
    Column("partner_id", ID, nullable=True),
    Column("kind", String(16), nullable=False),
    Column("compat_partner_id", ID, nullable=True, unique=True),
    Column("created_by", ID, nullable=True),
    Column("url", String(2000), nullable=False),
    Column("events", JSON, nullable=False),
    Column("partner_ids", NullableJSON, nullable=True),
    Column("description", String(200), nullable=False, server_default=""),
    Column("secret", String(100), nullable=False),
    Column("previous_secret", String(100), nullable=True),
    Column("previous_until", Stamp, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("failing_since", Stamp, nullable=True),
    Column("disabled_at", Stamp, nullable=True),
    ForeignKeyConstraint(["partner_id"], ["partners.id"]),
    # a lead's event asks for the active webhooks of its partner and the program's: two probes of this index (on
    # SQLite a partial index serves only a query with the same term, `active = 1`, as `== true()` writes it)
    Index("ix_webhooks_active", "partner_id", sqlite_where=text("active = 1"), postgresql_where=text("active")),
)

# One event for one webhook: its body as sent (the same bytes on every retry), and its delivery's fate. Drained like
# the email outbox: leased claims, at-least-once; `id` is the `webhook-id` header.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", ID, primary_key=True),
    Column("webhook_id", ID, nullable=False),
    Column("partner_id", ID, nullable=True),
    Column("lead_id", ID, nullable=True),
    Column("event", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", Stamp, nullable=False),
    Column("next_attempt_at", Stamp, nullable=False),
    Column("last_attempt_at", Stamp, nullable=True),
    Column("claimed_until", Stamp, nullable=True),
    Column("delivered_at", Stamp, nullable=True),
    ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE"),
    Index("ix_webhook_deliveries_due", "next_attempt_at",
          sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    Index("ix_webhook_deliveries_log", "webhook_id", "created_at"),
    Index("ix_webhook_deliveries_created", "created_at"),  # retention deletes the old ones (0015)
)

# A person's data erased (by request, `referrals privacy erase`, or by retention): when, by whom, how many rows of
# each kind, and, for a request, a salted SHA-256 of the address, never the address (migration 0015).
erasures = Table(
    "erasures",
    metadata,
    Column("id", ID, primary_key=True),
    Column("at", Stamp, nullable=False),
    Column("by", String(320), nullable=False),
    Column("kind", String(16), nullable=False),  # request | retention
    Column("salt", String(64), nullable=True),
    Column("address_hash", String(64), nullable=True),
    Column("counts", JSON, nullable=False),
    Index("ix_erasures_at", "at"),
)
