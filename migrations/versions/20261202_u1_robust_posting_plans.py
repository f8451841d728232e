"""robust posting plans: the checks and balance moves of ``ledger_post`` planned the same way
whatever the tables' statistics say

Revision ID: u1_robust_posting_plans
Revises: t2_simulation_periods
Create Date: 2026-12-02

The first batch of ``llr grant`` on a fresh database took 50-130 s for 5,000 citizens instead of
about 2 s: the accounts it had just opened were not in the statistics yet (the table looked
empty), so the planner put ``ledger_accounts`` (estimated one row) on the outer side of a nested
loop and scanned every new leg for every account, 30,000 x 30,000 comparisons, in the
leg-unit check and in the balance update. Now

* the leg checks look each new leg's account and transaction up by index (an ``OFFSET 0`` keeps
  each lookup a subquery of its own, which the planner cannot turn around);
* the balances move in ``ledger_move_balances``, bounded on both sides (the accounts by their
  ids, the deltas by the arrays) and joined by hash: planned without nested loops, for one leg or
  a million.

``ledger_post`` also takes ``p_exact``: the instant is ``p_created_at`` as given, which a request
read under the same locks (``ledger_right``'s clock), so the answer is written before the call
and kept for replays by the posting's own statement (one round trip less per request).
"""

import importlib
from collections.abc import Sequence

from migrations.sql import run_script

revision: str = "u1_robust_posting_plans"
down_revision: str | None = "t2_simulation_periods"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _earlier(revision_file: str, start: str) -> str:
    """A function as an earlier migration created it (from ``start`` to its ``END $$;``)."""
    script = importlib.import_module(f"migrations.versions.{revision_file}").UPGRADE
    begin = script.index(start)
    return script[begin : script.index("END $$;", begin) + len("END $$;")] + "\n"


CHECK_LEGS_BEFORE = _earlier("20261123_c3_ledger", "CREATE FUNCTION ledger_check_new_legs()")
LOOKUP_FENCE = (
    (" = l.transaction_id) t", " = l.transaction_id OFFSET 0) t"),
    (
        " = l.account_id) a",
        " = l.account_id OFFSET 0) a",
    ),
)
CHECK_LEGS = CHECK_LEGS_BEFORE.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
for before, after in LOOKUP_FENCE:
    assert before in CHECK_LEGS
    CHECK_LEGS = CHECK_LEGS.replace(before, after)

MOVE_BALANCES = """
CREATE FUNCTION ledger_move_balances(p_account bigint[], p_side text[], p_amount bigint[])
RETURNS void LANGUAGE sql SET enable_nestloop = off AS $$
    UPDATE ledger_accounts a SET balance = a.balance + d.delta
    FROM (SELECT l.account, sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END) AS delta
          FROM unnest(p_account, p_side, p_amount) AS l(account, side, amount)
          WHERE l.account IS NOT NULL GROUP BY l.account) d
    WHERE a.id = d.account AND a.id = ANY (p_account) AND a.balance IS NOT NULL
        AND d.delta <> 0
$$;
"""

BALANCES_BY_JOIN = """
    UPDATE ledger_accounts a SET balance = a.balance + d.delta
    FROM (SELECT l.account, sum(CASE l.side WHEN 'C' THEN l.amount ELSE -l.amount END) AS delta
          FROM unnest(l_account, l_side, l_amount) AS l(account, side, amount)
          WHERE l.account IS NOT NULL GROUP BY l.account) d
    WHERE a.id = d.account AND a.balance IS NOT NULL AND d.delta <> 0;
"""

BALANCES_BY_FUNCTION = """
    PERFORM ledger_move_balances(l_account, l_side, l_amount);
"""


LEDGER_POST = _earlier("20261201_e5_posting", "CREATE FUNCTION ledger_post(")
assert BALANCES_BY_JOIN in LEDGER_POST
POST_ARGUMENTS = """timestamptz, uuid[], text[], text[], bytea[], text[], text[], text[],
    text[], bigint[], date[], text[], text[], text[], text[], text[], timestamptz[], uuid[],
    uuid[], uuid[], text[], text[], uuid[], bigint[], text[], text[], bigint[], text[]"""
LAST_ARGUMENT = "    l_category text[]\n)"
EXACT_STAMP = (
    (LAST_ARGUMENT, "    l_category text[], p_exact boolean DEFAULT false\n)"),
    (
        "stamped := GREATEST(p_created_at, clock_timestamp());",
        "stamped := CASE WHEN p_exact THEN p_created_at\n"
        "        ELSE GREATEST(p_created_at, clock_timestamp()) END;",
    ),
    (BALANCES_BY_JOIN, BALANCES_BY_FUNCTION),
)


def _exact_posting() -> str:
    script = LEDGER_POST
    for before, after in EXACT_STAMP:
        assert before in script
        script = script.replace(before, after)
    return script


def upgrade() -> None:
    run_script(
        CHECK_LEGS
        + MOVE_BALANCES
        + f"DROP FUNCTION ledger_post({POST_ARGUMENTS});\n"
        + _exact_posting()
    )


def downgrade() -> None:
    run_script(
        CHECK_LEGS_BEFORE.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
        + f"DROP FUNCTION ledger_post({POST_ARGUMENTS}, boolean);\n"
        + LEDGER_POST
        + "DROP FUNCTION ledger_move_balances(bigint[], text[], bigint[]);"
    )
