"""Close the referrals whose episode has ended (issue 21, item 5): the planned procedure was done
(discharged) and no later stage depends on it. Until now nothing closed a referral, so finished ones
stayed "accepted" and came back on the front desk's "Ready to book". From here on discharge closes them.

Revision ID: i21b1
Revises: i21a
"""

import sqlalchemy as sa
from alembic import op

revision = "i21b1"
down_revision = "i21a"
branch_labels = None
depends_on = None

ACTIVE = "'booked', 'checked_in', 'in_procedure', 'in_observation'"


def upgrade():
    bind = op.get_bind()
    bind.execute(
        sa.text(
            f"""
            UPDATE referrals SET status = 'closed'
            WHERE status = 'accepted'
              AND NOT EXISTS (
                SELECT 1 FROM appointments a WHERE a.referral_id = referrals.id AND a.status IN ({ACTIVE}))
              AND EXISTS (
                SELECT 1 FROM appointments a
                WHERE a.referral_id = referrals.id AND a.status = 'discharged'
                  AND a.procedure_type_id = referrals.planned_procedure_type_id
                  AND COALESCE(a.stage, '') = COALESCE(referrals.planned_stage, '')
                  AND NOT EXISTS (
                    SELECT 1 FROM stage_rules s
                    WHERE s.requires_procedure_type_id = a.procedure_type_id
                      AND (s.requires_stage IS NULL OR s.requires_stage = a.stage)))
            """
        )
    )
    bind.execute(
        sa.text(
            "UPDATE waitlist_entries SET active = :no WHERE active = :yes"
            " AND referral_id IN (SELECT id FROM referrals WHERE status = 'closed')"
        ),
        {"no": False, "yes": True},
    )


def downgrade():
    # Which referrals this closed cannot be told from those closed since; closed ones stay closed.
    pass
