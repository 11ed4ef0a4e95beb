"""Server-side sessions, password-reset links, and API tokens with an id, a display prefix and an expiry.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import referrals.store.db
from referrals.store.ids import new_id

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Stamp = referrals.store.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("last_seen_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sessions_user", ["user_id"], unique=False)

    op.create_table(
        "password_resets",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.Column("used_at", Stamp, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_password_resets_user_id_users")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_password_resets")),
    )
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.create_index("ix_password_resets_user", ["user_id", "created_at"], unique=False)

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("prefix", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("expires_at", Stamp, nullable=True))
    # Tokens made before this revision get an id; their prefix stays unknown (only their hash was kept).
    bind = op.get_bind()
    for (token_hash,) in bind.execute(sa.text("SELECT token_hash FROM api_tokens")).all():
        bind.execute(sa.text("UPDATE api_tokens SET id = :id WHERE token_hash = :hash"),
                     {"id": new_id(), "hash": token_hash})
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("id", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_api_tokens_id"), ["id"])
        batch_op.create_index("ix_api_tokens_prefix", ["prefix"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_api_tokens_prefix")
        batch_op.drop_constraint(op.f("uq_api_tokens_id"), type_="unique")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("prefix")
        batch_op.drop_column("id")
    op.drop_table("password_resets")
    op.drop_table("sessions")
