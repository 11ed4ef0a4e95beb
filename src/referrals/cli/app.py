"""The operator's commands: `referrals --help`. Thin: parse, call one service, print.

This module only assembles the commands, in the order `--help` lists them; each group lives in its own module
and shares its helpers through `cli/common.py`.
"""

import typer

from referrals.cli import backup, blocklist, database, imports, leads, partners, privacy, quality, serve, users

app = typer.Typer(help="Referrals: a partner referral workspace.", no_args_is_help=True, add_completion=False)
for command in (database.migrate, database.demo, serve.sweep, leads.export, serve.serve, serve.worker,
                backup.backup, backup.restore):
    app.command()(command)
app.add_typer(partners.partners_app, name="partners")
app.add_typer(users.users_app, name="users")
app.add_typer(users.tokens_app, name="tokens")
app.add_typer(quality.quality_app, name="quality")
app.add_typer(blocklist.blocklist_app, name="blocklist")
app.add_typer(imports.imports_app, name="import")
app.add_typer(privacy.privacy_app, name="privacy")
