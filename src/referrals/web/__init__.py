"""The web edge: the JSON API (api/) and the server-rendered pages (pages/)."""
