"""Names of the local stand-in images that `make images` builds."""

POSTGRES = "rehearse/testing-postgres:15"
MARIADB = "rehearse/testing-mariadb:10.11"
ALL = (POSTGRES, MARIADB)
