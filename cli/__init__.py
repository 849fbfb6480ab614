"""The `espcrm` command: one module per group of subcommands, mounted by main.py."""
