"""How the read models run: catalogue, versions, runners, host, admin."""
