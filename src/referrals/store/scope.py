"""The one helper that scopes a query to a partner. Every statement that reads or writes a partner's rows says
`of_partner(table, partner_id)` instead of spelling out the comparison, so tenant scoping has one place."""

from sqlalchemy import BindParameter, ColumnElement, Table


def of_partner(table: Table, partner_id: str | BindParameter) -> ColumnElement[bool]:
    """`table.partner_id = :partner_id`: the rows of one partner (partner_id leads every partner-owned key)."""
    return table.c.partner_id == partner_id
